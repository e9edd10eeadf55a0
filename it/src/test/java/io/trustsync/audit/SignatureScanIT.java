package io.trustsync.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.local.LocalNotation;
import io.trustsync.local.LocalRegistry;
import io.trustsync.registry.ImageReference;
import io.trustsync.registry.OciRegistryClient;
import io.trustsync.registry.RegistryCredentials;
import io.trustsync.registry.SignatureScanner;
import io.trustsync.testing.ProjectFolder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner against the real CNCF Distribution registry holding images signed by the real
 * notation CLI: two teams' test keys, JWS and COSE, and an unsigned image. Distribution v3.1.2 has
 * no referrers API (404), so notation writes the {@code sha256-<hex>} tag and the scanner reads
 * that; ReferrersApiIT covers the referrers API.
 */
class SignatureScanIT {
  @TempDir static Path work;
  static LocalRegistry registry;
  static LocalNotation notation;
  static String web;
  static String api;
  static String legacy;

  @BeforeAll
  static void signSomeImages() throws Exception {
    Path registryBinary = Path.of(tool("scripts/registry-cli.sh"));
    registry = LocalRegistry.start(registryBinary, work.resolve("registry"));
    notation = new LocalNotation(Path.of(tool("scripts/notation-cli.sh")), work.resolve("notation-home"), registry.certificateAuthorityFile());
    notation.generateTestKey("team-a");
    notation.generateTestKey("team-b");
    web = registry.pushImage("storefront/web", "1.0", "web 1.0");
    registry.pushImage("storefront/web", "stable", "web 1.0"); // a second tag of the same image
    api = registry.pushImage("payments/api", "2.1", "api 2.1");
    legacy = registry.pushImage("storefront/legacy", "0.9", "legacy 0.9");
    sign("team-a", "jws", "storefront/web", web);
    sign("team-b", "cose", "storefront/web", web); // team B signs team A's repository
    sign("team-b", "cose", "payments/api", api);
  }

  private static void sign(String key, String format, String repository, String digest) {
    LocalNotation.Run run = notation.sign(key, format, registry.host() + "/" + repository + "@" + digest);
    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  static String tool(String script) throws Exception {
    return SignedImages.tool(script);
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void eachImageIsFoundOnceWithItsTagsAndItsSignaturesInBothFormats() throws Exception {
    OciRegistryClient client = new OciRegistryClient(registry.sslContext(), RegistryCredentials.ANONYMOUS, false, OciRegistryClient.Limits.DEFAULT);
    SignatureScanner scanner = new SignatureScanner(client, 50);

    List<SignatureScanner.Image> webImages = scanner.scan(ImageReference.parse(registry.host() + "/storefront/web"));
    assertThat(webImages).singleElement().satisfies(image -> {
      assertThat(image.reference().digest()).isEqualTo(web);
      assertThat(image.tags()).containsExactlyInAnyOrder("1.0", "stable");
      assertThat(image.problems()).isEmpty();
      assertThat(image.signatures()).extracting(SignatureScanner.Signature::mediaType)
          .containsExactlyInAnyOrder(SignatureScanner.JWS, SignatureScanner.COSE);
      assertThat(image.signatures()).allSatisfy(s -> assertThat(s.envelope()).hasSizeGreaterThan(100));
    });
    assertThat(scanner.scan(ImageReference.parse(registry.host() + "/payments/api:2.1"))).singleElement()
        .satisfies(image -> assertThat(image.signatures()).singleElement().satisfies(s -> assertThat(s.mediaType()).isEqualTo(SignatureScanner.COSE)));
    assertThat(scanner.scan(ImageReference.parse(registry.host() + "/storefront/legacy@" + legacy))).singleElement()
        .satisfies(image -> assertThat(image.signatures()).isEmpty());
  }

  @Test
  void aRepositoryThatDoesNotExistIsNamedInTheError() {
    OciRegistryClient client = new OciRegistryClient(registry.sslContext(), RegistryCredentials.ANONYMOUS, false, OciRegistryClient.Limits.DEFAULT);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SignatureScanner(client, 50).scan(ImageReference.parse(registry.host() + "/nothing/here")))
        .hasMessageContaining("repository " + registry.host() + "/nothing/here does not exist");
  }
}
