package io.trustsync.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.local.LocalNotation;
import io.trustsync.local.LocalRegistry;
import io.trustsync.registry.ImageReference;
import io.trustsync.registry.OciRegistryClient;
import io.trustsync.registry.RegistryCredentials;
import io.trustsync.registry.SignatureScanner;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner against a real registry with the OCI 1.1 referrers API (olareg, which
 * scripts/referrers-registry.sh builds) holding images signed by the real notation CLI as
 * referrers only: the registry answers each signature's push with OCI-Subject, so notation writes
 * no {@code sha256-<hex>} tag and the signatures can be found only through
 * {@code GET /v2/<name>/referrers/<digest>}. SignatureScanIT covers the fallback tag, on the
 * Distribution registry, which has no referrers API.
 */
class ReferrersApiIT {
  @TempDir static Path work;
  static LocalRegistry registry;
  static LocalNotation notation;
  static String web;
  static String api;
  static String legacy;

  @BeforeAll
  static void signSomeImagesAsReferrers() throws Exception {
    registry = LocalRegistry.startReferrers(Path.of(SignedImages.tool("scripts/referrers-registry.sh")), work.resolve("registry"));
    notation = new LocalNotation(Path.of(SignedImages.tool("scripts/notation-cli.sh")), work.resolve("notation-home"),
        registry.certificateAuthorityFile());
    notation.generateTestKey("team-a");
    notation.generateTestKey("team-b");
    web = registry.pushImage("storefront/web", "1.0", "web 1.0");
    api = registry.pushImage("payments/api", "2.1", "api 2.1");
    legacy = registry.pushImage("storefront/legacy", "0.9", "legacy 0.9");
    sign("team-a", "jws", "storefront/web", web);
    sign("team-b", "cose", "storefront/web", web);
    sign("team-b", "cose", "payments/api", api);
  }

  private static void sign(String key, String format, String repository, String digest) {
    LocalNotation.Run run = notation.signWithReferrersApi(key, format, registry.host() + "/" + repository + "@" + digest);
    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  static OciRegistryClient client() {
    return new OciRegistryClient(registry.sslContext(), RegistryCredentials.ANONYMOUS, false, OciRegistryClient.Limits.DEFAULT);
  }

  @Test
  void notationStoredTheSignaturesAsReferrersWithNoFallbackTag() throws Exception {
    OciRegistryClient client = client();
    assertThat(client.tags(ImageReference.parse(registry.host() + "/storefront/web")).tags()).containsExactly("1.0");
    assertThat(client.tags(ImageReference.parse(registry.host() + "/payments/api")).tags()).containsExactly("2.1");
    assertThat(client.referrers(ImageReference.parse(registry.host() + "/storefront/web@" + web), OciRegistryClient.NOTATION_SIGNATURE))
        .hasSize(2).allSatisfy(d -> assertThat(d.artifactType()).isEqualTo(OciRegistryClient.NOTATION_SIGNATURE));
    assertThat(client.referrers(ImageReference.parse(registry.host() + "/payments/api@" + api), OciRegistryClient.NOTATION_SIGNATURE))
        .singleElement().satisfies(d -> assertThat(d.artifactType()).isEqualTo(OciRegistryClient.NOTATION_SIGNATURE));
  }

  @Test
  void theScannerFindsBothFormatsThroughTheReferrersApi() throws Exception {
    OciRegistryClient client = client();
    SignatureScanner scanner = new SignatureScanner(client, 50);

    // no sha256-<hex> tag: what the scanner finds can only have come from the referrers API
    assertThat(client.tags(ImageReference.parse(registry.host() + "/storefront/web")).tags()).noneMatch(tag -> tag.startsWith("sha256-"));
    List<SignatureScanner.Image> webImages = scanner.scan(ImageReference.parse(registry.host() + "/storefront/web"));
    assertThat(webImages).singleElement().satisfies(image -> {
      assertThat(image.reference().digest()).isEqualTo(web);
      assertThat(image.tags()).containsExactly("1.0");
      assertThat(image.problems()).isEmpty();
      assertThat(image.signatures()).extracting(SignatureScanner.Signature::mediaType)
          .containsExactlyInAnyOrder(SignatureScanner.JWS, SignatureScanner.COSE);
      assertThat(image.signatures()).allSatisfy(s -> assertThat(s.envelope()).hasSizeGreaterThan(100));
    });

    assertThat(client.tags(ImageReference.parse(registry.host() + "/payments/api")).tags()).noneMatch(tag -> tag.startsWith("sha256-"));
    assertThat(scanner.scan(ImageReference.parse(registry.host() + "/payments/api:2.1"))).singleElement().satisfies(image -> {
      assertThat(image.problems()).isEmpty();
      assertThat(image.signatures()).singleElement().satisfies(s -> {
        assertThat(s.mediaType()).isEqualTo(SignatureScanner.COSE);
        assertThat(s.envelope()).hasSizeGreaterThan(100);
      });
    });
  }

  /**
   * notation's default (--force-referrers-tag) writes the sha256-<hex> tag even here, and that
   * index overwrites the registry's own referrers record of the signatures before it: a second
   * signature hides the first from the API. The scanner reads both and finds both.
   */
  @Test
  void signaturesTheFallbackTagHidesFromTheApiAreStillFound() throws Exception {
    String cart = registry.pushImage("storefront/cart", "3.2", "cart 3.2");
    for (String[] signer : new String[][] {{"team-a", "jws"}, {"team-b", "cose"}}) {
      LocalNotation.Run run = notation.sign(signer[0], signer[1], registry.host() + "/storefront/cart@" + cart);
      assertThat(run.exitCode()).as(run.output()).isZero();
    }
    OciRegistryClient client = client();
    assertThat(client.tags(ImageReference.parse(registry.host() + "/storefront/cart")).tags()).contains(cart.replace(':', '-'));
    assertThat(client.referrers(ImageReference.parse(registry.host() + "/storefront/cart@" + cart), OciRegistryClient.NOTATION_SIGNATURE))
        .hasSize(2);
    assertThat(new SignatureScanner(client, 50).scan(ImageReference.parse(registry.host() + "/storefront/cart"))).singleElement()
        .satisfies(image -> assertThat(image.signatures()).extracting(SignatureScanner.Signature::mediaType)
            .containsExactlyInAnyOrder(SignatureScanner.JWS, SignatureScanner.COSE));
  }

  @Test
  void anUnsignedImageHasAnEmptyReferrersListAndNoSignatures() throws Exception {
    OciRegistryClient client = client();
    ImageReference unsigned = ImageReference.parse(registry.host() + "/storefront/legacy@" + legacy);
    assertThat(client.referrers(unsigned, OciRegistryClient.NOTATION_SIGNATURE)).isEmpty();
    assertThat(new SignatureScanner(client, 50).scan(unsigned)).singleElement().satisfies(image -> {
      assertThat(image.signatures()).isEmpty();
      assertThat(image.problems()).isEmpty();
    });
  }
}
