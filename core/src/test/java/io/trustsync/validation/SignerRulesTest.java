package io.trustsync.validation;

import static io.trustsync.truststore.TestRepository.policy;
import static io.trustsync.truststore.TestRepository.statement;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.findings.Finding;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestCertificates.Issued;
import io.trustsync.truststore.TestRepository;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed tutorial's second bug, and the other ways a trusted identity can never match a team's signature. */
class SignerRulesTest {
  private static final String FINANCE = "x509.subject: C=US, ST=WA, L=Seattle, O=SecureBuilder, OU=Finance, CN=SecureBuilder";
  private static final String EXACT = "x509.subject: C=US, ST=WA, L=Seattle, O=SecureBuilder, CN=SecureBuilder";
  private static Issued root;
  private static Issued intermediate;
  private static Issued signer;
  private static Issued stranger;

  @TempDir Path temp;

  @BeforeAll
  static void issue() {
    root = TestCertificates.root("GlobalSign Root CA").issue();
    intermediate = TestCertificates.intermediate("GlobalSign Code Signing CA", root).issue();
    // the tutorial's certificate: no OU
    signer = TestCertificates.leaf("SecureBuilder", intermediate).subjectName("C=US, ST=WA, L=Seattle, O=SecureBuilder, CN=SecureBuilder").issue();
    Issued otherRoot = TestCertificates.root("Other Root").issue();
    stranger = TestCertificates.leaf("Stranger", otherRoot).subjectName("C=US, ST=WA, O=Stranger, CN=Stranger").issue();
  }

  private List<Finding> validate(TestRepository repository) throws Exception {
    return RepositoryValidator.validate(RepositoryReader.read(repository.root()), ValidationOptions.at(TestCertificates.NOW)).findings();
  }

  private TestRepository repository(String identity) {
    return new TestRepository(temp.resolve("repo"))
        .sharedStore("ca", "GlobalSign", root)
        .file("signers/securebuilder/signing.pem", signer.pem() + intermediate.pem())
        .policy("production", policy(statement("GlobalSign", "containerimagesigning.azurecr.io/code-signed-images", "strict",
            List.of("ca:GlobalSign"), identity)));
  }

  @Test
  void anIdentityNoKnownSignerHasIsAnErrorNamingTheAttribute() throws Exception {
    List<Finding> findings = validate(repository(FINANCE));

    assertThat(findings).filteredOn(f -> f.ruleId().equals("signer.identityUnsatisfied")).singleElement().satisfies(f -> {
      assertThat(f.isError()).isTrue();
      assertThat(f.file()).isEqualTo("environments/production/trustpolicy.json");
      assertThat(f.pointer()).isEqualTo("/trustPolicies/0/trustedIdentities/0");
      assertThat(f.message()).contains("OU=Finance in the policy vs no OU in the certificate").contains("signers/securebuilder/signing.pem");
    });
    // the tutorial's repository is otherwise valid: without signers/ the gate could not know
    TestRepository withoutSigners = new TestRepository(temp.resolve("bare")).sharedStore("ca", "GlobalSign", root)
        .policy("production", policy(statement("GlobalSign", "containerimagesigning.azurecr.io/code-signed-images", "strict",
            List.of("ca:GlobalSign"), FINANCE)));
    assertThat(validate(withoutSigners)).noneMatch(f -> f.ruleId().startsWith("signer."));
  }

  @Test
  void theExactSubjectIsSatisfiedThroughTheIntermediate() throws Exception {
    assertThat(validate(repository(EXACT))).noneMatch(f -> f.ruleId().startsWith("signer.")).noneMatch(Finding::isError);
  }

  @Test
  void aDifferentValueIsNamedToo() throws Exception {
    String payments = "x509.subject: C=US, ST=WA, L=Seattle, O=SecureBuilder, CN=Payments";
    assertThat(validate(repository(payments))).filteredOn(f -> f.ruleId().equals("signer.identityUnsatisfied"))
        .singleElement().satisfies(f -> assertThat(f.message()).contains("CN=Payments in the policy vs CN=SecureBuilder"));
  }

  @Test
  void aSignerThatChainsToNoStoreOfTheStatementIsReported() throws Exception {
    TestRepository repository = repository(EXACT).file("signers/stranger.pem", stranger.pem());
    List<Finding> findings = validate(repository);

    assertThat(findings).filteredOn(f -> f.ruleId().equals("signer.untrusted")).singleElement().satisfies(f -> {
      assertThat(f.file()).isEqualTo("signers/stranger.pem");
      assertThat(f.isError()).isFalse();
      assertThat(f.message()).contains("O=Stranger");
    });
    assertThat(findings).noneMatch(f -> f.ruleId().equals("signer.identityUnsatisfied"));
  }

  @Test
  void noSignerChainingAtAllSaysSo() throws Exception {
    TestRepository repository = new TestRepository(temp.resolve("repo"))
        .sharedStore("ca", "GlobalSign", root)
        .file("signers/stranger.pem", stranger.pem())
        .policy("production", policy(statement("GlobalSign", "r.example/app", "strict", List.of("ca:GlobalSign"), EXACT)));
    assertThat(validate(repository)).filteredOn(f -> f.ruleId().equals("signer.identityUnsatisfied"))
        .singleElement().satisfies(f -> assertThat(f.message()).contains("no signer certificate under signers/ chains to [ca:GlobalSign]"));
  }

  @Test
  void aKeyOrTextInSignersIsRefused() throws Exception {
    TestRepository repository = repository(EXACT).file("signers/README.md", "our signers");
    assertThat(validate(repository)).filteredOn(f -> f.ruleId().equals("signer.notCertificate"))
        .singleElement().satisfies(f -> assertThat(f.file()).isEqualTo("signers/README.md"));
  }
}
