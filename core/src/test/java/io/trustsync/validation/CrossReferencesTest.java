package io.trustsync.validation;

import io.trustsync.findings.ValidationOptions;
import io.trustsync.findings.Severity;
import io.trustsync.findings.Finding;
import static io.trustsync.truststore.TestRepository.policy;
import static io.trustsync.truststore.TestRepository.statement;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.repository.RepositoryReader;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestCertificates.Issued;
import io.trustsync.truststore.TestRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repo.* rules, through the whole gate: files on disk in, findings out. */
class CrossReferencesTest {
  private static final ValidationOptions OPTIONS = ValidationOptions.at(TestCertificates.NOW);
  private static final String POLICY = "environments/production/trustpolicy.json";

  private static Issued acmeRoot;
  private static Issued otherRoot;

  @TempDir Path root;

  @BeforeAll
  static void issue() {
    acmeRoot = TestCertificates.root("Acme Root CA").issue();
    otherRoot = TestCertificates.root("Other Root CA").issue();
  }

  private ValidationReport validate(TestRepository repository) throws IOException {
    return RepositoryValidator.validate(RepositoryReader.read(repository.root()), OPTIONS);
  }

  private static List<Finding> rule(ValidationReport report, String ruleId) {
    return report.findings().stream().filter(f -> f.ruleId().equals(ruleId)).toList();
  }

  /** 1-based line and column of the first occurrence of {@code text}, as the JSON parser reports them. */
  private int[] placeOf(String file, String text) throws IOException {
    List<String> lines = Files.readAllLines(root.resolve(file));
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return new int[] {i + 1, lines.get(i).indexOf(text) + 1};
      }
    }
    throw new AssertionError(text);
  }

  @Test
  void acceptsAConsistentRepositoryAndKeepsOnlyReferencedStoresInFirstReferenceOrder() throws IOException {
    TestRepository repo = new TestRepository(root)
        .sharedStore("ca", "acme-root", acmeRoot)
        .store("production", "ca", "other-root", otherRoot)
        .policy("production", policy(
            statement("a", "registry.acme.example/a", "strict", "ca:other-root"),
            statement("b", "registry.acme.example/b", "audit", "ca:acme-root", "ca:other-root")));

    ValidationReport report = validate(repo);

    assertThat(report.findings()).isEmpty();
    assertThat(report.environments().get("production").stores()).extracting(LoadedTrustStore::reference)
        .containsExactly("ca:other-root", "ca:acme-root");
  }

  @Test
  void misspelledStoreNamesBothSpellingsAtTheReference() throws IOException {
    // The seed tutorial: `notation cert add --store GlobalSIgn` made the folder, the policy says GlobalSign.
    TestRepository repo = new TestRepository(root)
        .sharedStore("ca", "GlobalSIgn", acmeRoot)
        .policy("production", policy(statement("images", "registry.acme.example/app", "strict", "ca:GlobalSign")));

    ValidationReport report = validate(repo);

    assertThat(report.accepted()).isFalse();
    Finding finding = rule(report, "repo.unknownStore").getFirst();
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.file()).isEqualTo(POLICY);
    assertThat(finding.pointer()).isEqualTo("/trustPolicies/0/trustStores/0");
    assertThat(new int[] {finding.line(), finding.column()}).isEqualTo(placeOf(POLICY, "\"ca:GlobalSign\""));
    assertThat(finding.message()).contains("'ca:GlobalSign'").contains("'ca:GlobalSIgn'").contains("case-sensitive");
  }

  @Test
  void storeOfAnotherEnvironmentIsUnknownAndTheMessageSaysWhereItIs() throws IOException {
    TestRepository repo = TestRepository.valid(root)
        .store("staging", "ca", "staging-only", otherRoot)
        .policy("staging", policy(statement("images", "registry.acme.example/app", "strict", "ca:staging-only")))
        .policy("production", policy(statement("images", "registry.acme.example/app", "strict", "ca:acme-root", "ca:staging-only")));

    ValidationReport report = validate(repo);

    assertThat(rule(report, "repo.unknownStore")).singleElement().satisfies(f -> {
      assertThat(f.file()).isEqualTo(POLICY);
      assertThat(f.message()).contains("exists only in environment 'staging'")
          .contains("environments/staging/truststore/x509/ca/staging-only");
    });
  }

  @Test
  void sharedAndLocalStoreWithTheSameReferenceClash() throws IOException {
    TestRepository repo = TestRepository.valid(root).store("production", "ca", "acme-root", otherRoot);

    ValidationReport report = validate(repo);

    assertThat(rule(report, "repo.storeClash")).singleElement().satisfies(f -> {
      assertThat(f.isError()).isTrue();
      assertThat(f.file()).isEqualTo("environments/production/truststore/x509/ca/acme-root");
      assertThat(f.message()).contains("truststore/x509/ca/acme-root");
    });
    assertThat(report.environments()).isEmpty();
  }

  @Test
  void storeNoStatementUsesIsAWarningAndIsNotRendered() throws IOException {
    TestRepository repo = TestRepository.valid(root).sharedStore("ca", "forgotten", otherRoot);

    ValidationReport report = validate(repo);

    assertThat(report.accepted()).isTrue();
    assertThat(rule(report, "repo.unusedStore")).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.file()).isEqualTo("truststore/x509/ca/forgotten");
    });
    assertThat(report.environments().get("production").stores()).extracting(s -> s.directory().name()).containsExactly("acme-root");
  }

  @Test
  void environmentWithoutTrustPolicyIsAnError() throws IOException {
    TestRepository repo = TestRepository.valid(root).store("staging", "ca", "staging-root", otherRoot);

    ValidationReport report = validate(repo);

    assertThat(rule(report, "repo.missingPolicy")).singleElement().satisfies(f -> {
      assertThat(f.isError()).isTrue();
      assertThat(f.file()).isEqualTo("environments/staging");
    });
  }

  @Test
  void ociTrustPolicyWinsAndTheShadowedOneIsAWarningNotValidated() throws IOException {
    TestRepository repo = TestRepository.valid(root)
        .file("environments/production/trustpolicy.oci.json",
            policy(statement("oci", "registry.acme.example/app", "strict", "ca:acme-root")))
        .file(POLICY, "this is not JSON and is never loaded");

    ValidationReport report = validate(repo);

    assertThat(report.accepted()).isTrue();
    assertThat(report.findings()).singleElement().satisfies(f -> {
      assertThat(f.ruleId()).isEqualTo("repo.shadowedPolicy");
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.file()).isEqualTo(POLICY);
    });
    assertThat(report.environments().get("production").policy().file()).isEqualTo("environments/production/trustpolicy.oci.json");
    assertThat(report.environments().get("production").policy().statements().getFirst().name()).isEqualTo("oci");
  }

  @Test
  void identityNoSelfSignedSigningCertificateCarriesIsAWarningAtTheIdentity() throws IOException {
    Issued signer = TestCertificates.selfSignedSigning("Acme Release Signing").issue();
    TestRepository repo = new TestRepository(root)
        .sharedStore("signingAuthority", "release", signer)
        .policy("production", policy(
            statement("matching", "registry.acme.example/a", "strict", List.of("signingAuthority:release"),
                "x509.subject: C=US, ST=WA, O=Acme, CN=Acme Release Signing"),
            statement("other", "registry.acme.example/b", "strict", List.of("signingAuthority:release"),
                "x509.subject: C=US, ST=WA, O=Acme, CN=Somebody Else")));

    ValidationReport report = validate(repo);

    assertThat(report.accepted()).as(report.findings().toString()).isTrue();
    assertThat(rule(report, "repo.identityUnissuable")).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.pointer()).isEqualTo("/trustPolicies/1/trustedIdentities/0");
      assertThat(new int[] {f.line(), f.column()}).isEqualTo(placeOf(POLICY, "\"x509.subject: C=US, ST=WA, O=Acme, CN=Somebody Else\""));
      assertThat(f.message()).contains("CN=Somebody Else");
    });
  }

  @Test
  void identityUnderACaStoreIsNeverClaimedUnissuable() throws IOException {
    TestRepository repo = new TestRepository(root)
        .sharedStore("ca", "acme-root", acmeRoot)
        .policy("production", policy(statement("images", "registry.acme.example/app", "strict", List.of("ca:acme-root"),
            "x509.subject: C=US, ST=WA, O=Acme, CN=Anyone The CA Issues")));

    assertThat(rule(validate(repo), "repo.identityUnissuable")).isEmpty();
  }

  @Test
  void anyErrorAnywhereRejectsEveryEnvironment() throws IOException {
    TestRepository repo = TestRepository.valid(root)
        .policy("staging", policy(statement("images", "registry.acme.example/app", "strict", "ca:nope")));

    ValidationReport report = validate(repo);

    assertThat(report.accepted()).isFalse();
    assertThat(report.environments()).isEmpty();
  }
}
