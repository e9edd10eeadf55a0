package io.trustsync.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.trustpolicy.IdentityMatch;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestCertificates.Issued;
import io.trustsync.validation.ExpectedSigners.Entry;
import io.trustsync.validation.ExpectedSigners.ExpectedIdentity;
import io.trustsync.validation.ExpectedSigners.RepositoryPattern;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The matcher the signer audit asks: which identities are expected for a repository, and does a certificate hold one. */
class ExpectedSignersTest {
  private static final String RELEASE = "x509.subject: C=US, ST=WA, O=Acme, CN=Release";
  private static final String STOREFRONT = "x509.subject: C=US, ST=WA, O=Acme, OU=Storefront, CN=Storefront Release";
  private static final String WEB = "x509.subject: C=US, ST=WA, O=Acme, OU=Web, CN=Web Release";
  private static final String FIRST = "x509.subject: C=US, ST=WA, O=Acme, CN=First";
  private static final String SECOND = "x509.subject: C=US, ST=WA, O=Acme, CN=Second";

  private static Issued storefrontLeaf;
  private static Issued strangerLeaf;

  @BeforeAll
  static void issue() {
    Issued root = TestCertificates.root("Acme Root CA").issue();
    storefrontLeaf = TestCertificates.leaf("Storefront Release", root)
        .subjectName("C=US, ST=WA, L=Seattle, O=Acme, OU=Storefront, CN=Storefront Release").issue();
    strangerLeaf = TestCertificates.leaf("Stranger", root).subjectName("C=US, ST=WA, O=Stranger, CN=Storefront Release").issue();
  }

  private static Entry entry(int index, List<String> patterns, String... identities) {
    String pointer = "/expectedSigners/" + index;
    List<RepositoryPattern> repositories = patterns.stream().map(p -> new RepositoryPattern(p, pointer + "/repositories/0")).toList();
    List<ExpectedIdentity> expected = java.util.Arrays.stream(identities)
        .map(i -> new ExpectedIdentity(i, IdentityMatch.wanted(i), null, pointer + "/identities/0")).toList();
    return new Entry(repositories, expected, pointer);
  }

  private static List<String> identities(ExpectedSigners signers, String repository) {
    return signers.forRepository(repository).stream().map(ExpectedIdentity::identity).toList();
  }

  private static final ExpectedSigners LAYERED = new ExpectedSigners("environments/production/expected-signers.yaml", List.of(
      entry(0, List.of("acme.azurecr.io/*"), RELEASE),
      entry(1, List.of("acme.azurecr.io/storefront/*"), STOREFRONT),
      entry(2, List.of("acme.azurecr.io/storefront/web"), WEB),
      entry(3, List.of("acme.azurecr.io/storefront/web/*"), STOREFRONT)));

  @Test
  void theMostSpecificPatternDecidesAlone() {
    assertThat(identities(LAYERED, "acme.azurecr.io/storefront/web")).containsExactly(WEB);
    assertThat(identities(LAYERED, "acme.azurecr.io/storefront/cart")).containsExactly(STOREFRONT);
    assertThat(identities(LAYERED, "acme.azurecr.io/storefront/cart/worker")).as("a prefix matches at any depth").containsExactly(STOREFRONT);
    assertThat(identities(LAYERED, "acme.azurecr.io/storefront/web/cdn")).containsExactly(STOREFRONT);
    assertThat(identities(LAYERED, "acme.azurecr.io/payments/api")).containsExactly(RELEASE);
    assertThat(identities(LAYERED, "acme.azurecr.io/storefront")).as("a prefix does not match its own base").containsExactly(RELEASE);
  }

  @Test
  void nothingMatchingMeansNothingExpected() {
    assertThat(LAYERED.forRepository("other.azurecr.io/storefront/web")).isEmpty();
    assertThat(LAYERED.expects("other.azurecr.io/storefront/web")).isFalse();
    assertThat(LAYERED.expects("acme.azurecr.io/anything")).isTrue();
    assertThat(LAYERED.forRepository("acme.azurecr.io.evil.example/storefront/web")).as("the registry is matched whole").isEmpty();
    assertThat(ExpectedSigners.NONE.forRepository("acme.azurecr.io/storefront/web")).isEmpty();
    assertThat(ExpectedSigners.NONE.isEmpty()).isTrue();
  }

  @Test
  void ofTwoEqualPatternsTheFirstEntryWins() {
    ExpectedSigners twice = new ExpectedSigners("f", List.of(
        entry(0, List.of("acme.azurecr.io/storefront/*"), FIRST),
        entry(1, List.of("acme.azurecr.io/storefront/*"), SECOND)));
    assertThat(identities(twice, "acme.azurecr.io/storefront/web")).containsExactly(FIRST);
  }

  @Test
  void aCertificateSatisfiesAnIdentityAsNotationMatchesIt() {
    ExpectedSigners storefront = new ExpectedSigners("f", List.of(entry(0, List.of("acme.azurecr.io/storefront/*"), STOREFRONT)));
    // the certificate has L=Seattle besides: a subset of its attributes is enough, as for trustedIdentities
    assertThat(storefront.isExpected("acme.azurecr.io/storefront/web", storefrontLeaf.certificate())).isTrue();
    assertThat(storefront.isExpected("acme.azurecr.io/storefront/web", strangerLeaf.certificate())).isFalse();
    assertThat(storefront.isExpected("acme.azurecr.io/payments/api", storefrontLeaf.certificate())).as("nothing expected there").isFalse();
    assertThat(storefront.forRepository("acme.azurecr.io/storefront/web").getFirst().isSatisfiedBy(storefrontLeaf.certificate())).isTrue();
  }

  @Test
  void patternsOverlapWhenSomeRepositoryMatchesBoth() {
    RepositoryPattern storefront = new RepositoryPattern("acme.azurecr.io/storefront/*", "");
    assertThat(storefront.overlaps(new RepositoryPattern("acme.azurecr.io/storefront/web", ""))).isTrue();
    assertThat(storefront.overlaps(new RepositoryPattern("acme.azurecr.io/storefront/web/*", ""))).isTrue();
    assertThat(storefront.overlaps(new RepositoryPattern("acme.azurecr.io/*", ""))).isTrue();
    assertThat(storefront.overlaps(storefront)).isTrue();
    assertThat(storefront.overlaps(new RepositoryPattern("acme.azurecr.io/storefront", ""))).isFalse();
    assertThat(storefront.overlaps(new RepositoryPattern("acme.azurecr.io/storefronts/*", ""))).isFalse();
    assertThat(new RepositoryPattern("acme.azurecr.io/a", "").overlaps(new RepositoryPattern("acme.azurecr.io/b", ""))).isFalse();
  }
}
