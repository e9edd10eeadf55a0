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
import io.trustsync.validation.ExpectedSigners.ExpectedIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signer.expected.* rules, through the whole gate: environments/<env>/expected-signers.yaml on disk in, findings out. */
class ExpectedSignerRulesTest {
  private static final String FILE = "environments/production/expected-signers.yaml";
  private static final String STOREFRONT = "x509.subject: C=US, ST=WA, O=Acme, OU=Storefront, CN=Storefront Release";
  private static final String PAYMENTS = "x509.subject: C=US, ST=WA, O=Acme, OU=Payments, CN=Payments CI";

  private static Issued root;
  private static Issued storefrontLeaf;
  private static Issued paymentsLeaf;

  @TempDir Path temp;

  @BeforeAll
  static void issue() {
    root = TestCertificates.root("Acme Root CA").issue();
    storefrontLeaf = TestCertificates.leaf("Storefront Release", root)
        .subjectName("C=US, ST=WA, L=Seattle, O=Acme, OU=Storefront, CN=Storefront Release").issue();
    paymentsLeaf = TestCertificates.leaf("Payments CI", root).subjectName("C=US, ST=WA, O=Acme, OU=Payments, CN=Payments CI").issue();
  }

  /** production: storefront/web and storefront/cart trust the storefront identity, payments/api the payments one; all strict under ca:acme-root. */
  private TestRepository repository(String expectedSigners) {
    TestRepository repository = new TestRepository(temp.resolve("repo"))
        .sharedStore("ca", "acme-root", root)
        .policy("production", policy(
            statement("storefront-web", "acme.azurecr.io/storefront/web", "strict", List.of("ca:acme-root"), STOREFRONT),
            statement("storefront-cart", "acme.azurecr.io/storefront/cart", "strict", List.of("ca:acme-root"), STOREFRONT),
            statement("payments-api", "acme.azurecr.io/payments/api", "strict", List.of("ca:acme-root"), PAYMENTS)));
    return expectedSigners == null ? repository : repository.file(FILE, expectedSigners);
  }

  private static ValidationReport validate(TestRepository repository) throws IOException {
    return RepositoryValidator.validate(RepositoryReader.read(repository.root()), ValidationOptions.at(TestCertificates.NOW));
  }

  private static List<Finding> expectedFindings(TestRepository repository) throws IOException {
    return validate(repository).findings().stream().filter(f -> f.ruleId().startsWith("signer.expected.")).toList();
  }

  private static Finding single(TestRepository repository, String rule) throws IOException {
    List<Finding> findings = expectedFindings(repository);
    assertThat(findings).as("findings").extracting(Finding::ruleId).containsExactly(rule);
    return findings.getFirst();
  }

  private static String entry(String repositories, String identities) {
    return "expectedSigners:\n- repositories: " + repositories + "\n  identities: " + identities + "\n";
  }

  @Test
  void aValidFileIsAcceptedAndReachesTheAcceptedEnvironment() throws IOException {
    ValidationReport report = validate(repository("""
        expectedSigners:
        - repositories: [acme.azurecr.io/storefront/*]
          identities: ["%s"]
        - repositories:
          - acme.azurecr.io/payments/api
          identities:
          - "%s"
        """.formatted(STOREFRONT, PAYMENTS)));

    assertThat(report.findings()).isEmpty();
    ExpectedSigners expected = report.environments().get("production").expectedSigners();
    assertThat(expected.file()).isEqualTo(FILE);
    assertThat(expected.forRepository("acme.azurecr.io/storefront/web")).extracting(ExpectedIdentity::identity).containsExactly(STOREFRONT);
    assertThat(expected.forRepository("acme.azurecr.io/payments/api")).extracting(ExpectedIdentity::identity).containsExactly(PAYMENTS);
    assertThat(expected.isExpected("acme.azurecr.io/storefront/cart", storefrontLeaf.certificate())).isTrue();
    assertThat(expected.isExpected("acme.azurecr.io/storefront/cart", paymentsLeaf.certificate())).isFalse();
  }

  @Test
  void withoutTheFileNothingIsExpected() throws IOException {
    ValidationReport report = validate(repository(null));
    assertThat(report.findings()).isEmpty();
    assertThat(report.environments().get("production").expectedSigners()).isSameAs(ExpectedSigners.NONE);
  }

  @Test
  void aYmlFileIsNotSilentlyIgnored() throws IOException {
    TestRepository repository = repository(null).file("environments/production/expected-signers.yml", entry("[acme.azurecr.io/payments/api]", "[\"" + PAYMENTS + "\"]"));
    Finding finding = single(repository, "signer.expected.fileName");
    assertThat(finding.isError()).isTrue();
    assertThat(finding.file()).isEqualTo("environments/production/expected-signers.yml");
    assertThat(finding.message()).contains("rename it to expected-signers.yaml");
  }

  @Test
  void invalidYamlIsAFindingWithItsPlace() throws IOException {
    Finding finding = single(repository("expectedSigners:\n- repositories: [acme.azurecr.io/payments/api\n"), "signer.expected.invalid");
    assertThat(finding.isError()).isTrue();
    assertThat(finding.file()).isEqualTo(FILE);
    assertThat(finding.line()).isPositive();
    assertThat(finding.message()).startsWith("not valid YAML: ").contains("docs/rules/signers.md");

    TestRepository notUtf8 = repository(null).file(FILE, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});
    assertThat(single(notUtf8, "signer.expected.invalid").message()).contains("UTF-8");
  }

  @Test
  void anUnquotedIdentityIsShownQuoted() throws IOException {
    Finding finding = single(repository("""
        expectedSigners:
        - repositories: [acme.azurecr.io/payments/api]
          identities:
          - x509.subject: C=US, ST=WA, O=Acme, OU=Payments, CN=Payments CI
        """), "signer.expected.invalid");
    assertThat(finding.pointer()).isEqualTo("/expectedSigners/0/identities/0");
    assertThat(finding.line()).isEqualTo(4);
    assertThat(finding.column()).isEqualTo(5);
    assertThat(finding.message()).contains("quote it: - \"" + PAYMENTS + "\"");
  }

  @Test
  void wrongTypesAliasesAndRepeatedKeysAreRefused() throws IOException {
    assertThat(single(repository("expectedSigners:\n- repositories: acme.azurecr.io/payments/api\n  identities: [\"" + PAYMENTS + "\"]\n"),
        "signer.expected.invalid").message()).contains("must be a list, even of one; write repositories: [\"acme.azurecr.io/payments/api\"]");
    assertThat(single(repository("expectedSigners: {repositories: []}\n"), "signer.expected.invalid").message()).contains("must be a list of entries");
    assertThat(single(repository("- repositories: [a.io/b]\n"), "signer.expected.invalid").message()).contains("a mapping with the key expectedSigners");
    assertThat(single(repository(entry("[acme.azurecr.io/payments/api, 12]", "[\"" + PAYMENTS + "\"]")), "signer.expected.invalid")
        .pointer()).isEqualTo("/expectedSigners/0/repositories/1");
    List<Finding> alias = expectedFindings(repository("""
        expectedSigners:
        - repositories: &r [acme.azurecr.io/payments/api]
          identities: ["%s"]
        - repositories: *r
          identities: ["%s"]
        """.formatted(PAYMENTS, PAYMENTS)));
    assertThat(alias).singleElement().satisfies(f -> {
      assertThat(f.ruleId()).isEqualTo("signer.expected.invalid");
      assertThat(f.line()).isEqualTo(4);
      assertThat(f.message()).contains("aliases (*r) are not supported");
    });
    Finding repeated = single(repository("""
        expectedSigners:
        - repositories: [acme.azurecr.io/payments/api]
          identities: ["%s"]
          repositories: [acme.azurecr.io/payments/api]
        """.formatted(PAYMENTS)), "signer.expected.invalid");
    assertThat(repeated.line()).isEqualTo(4);
    assertThat(repeated.message()).contains("'repositories' appears again in the same mapping (first at line 2)");
  }

  @Test
  void unknownKeysAreNamedWithASuggestion() throws IOException {
    Finding finding = single(repository("""
        expectedSigners:
        - repositories: [acme.azurecr.io/payments/api]
          identities: ["%s"]
          identites: ["%s"]
        """.formatted(PAYMENTS, PAYMENTS)), "signer.expected.unknownKey");
    assertThat(finding.pointer()).isEqualTo("/expectedSigners/0/identites");
    assertThat(finding.line()).isEqualTo(4);
    assertThat(finding.column()).isEqualTo(3);
    assertThat(finding.message()).contains("did you mean 'identities'?");
    assertThat(single(repository("expectedSigner: []\n"), "signer.expected.unknownKey").message()).contains("did you mean 'expectedSigners'?");
  }

  @Test
  void emptyListsAndEntriesThatExpectNoOneAreErrors() throws IOException {
    assertThat(single(repository("# nothing yet\n"), "signer.expected.empty").message()).contains("the file is empty");
    assertThat(single(repository("expectedSigners: []\n"), "signer.expected.empty").pointer()).isEqualTo("/expectedSigners");
    assertThat(single(repository(entry("[acme.azurecr.io/payments/api]", "[]")), "signer.expected.empty").pointer())
        .isEqualTo("/expectedSigners/0/identities");
    assertThat(single(repository("expectedSigners:\n- repositories: [acme.azurecr.io/payments/api]\n"), "signer.expected.empty").message())
        .contains("the entry expects no one");
  }

  @Test
  void aPatternMustBeARepositoryOrAPrefix() throws IOException {
    for (String bad : List.of("*", "acme.azurecr.io/store*", "*/web", "acme.azurecr.io/*/web", "https://acme.azurecr.io/payments/api",
        "acme.azurecr.io/payments/api:v1", "acme.azurecr.io/Payments/api", "acme.azurecr.io", "acme.azurecr.io/payments/")) {
      Finding finding = single(repository(entry("[\"" + bad + "\"]", "[\"" + PAYMENTS + "\"]")), "signer.expected.pattern");
      assertThat(finding.isError()).isTrue();
      assertThat(finding.pointer()).isEqualTo("/expectedSigners/0/repositories/0");
      assertThat(finding.message()).as(bad).contains("'" + bad + "'").contains("acme.azurecr.io/storefront/*");
    }
    // a registry-wide prefix is a pattern (covered here because payments/api is a scope below it)
    assertThat(expectedFindings(repository(entry("[acme.azurecr.io/payments/*]", "[\"" + PAYMENTS + "\"]")))).isEmpty();
  }

  @Test
  void anIdentityMustBeOneNotationCanMatch() throws IOException {
    assertThat(single(repository(entry("[acme.azurecr.io/payments/api]", "[\"*\"]")), "signer.expected.identity").message())
        .contains("would expect any signer");
    assertThat(single(repository(entry("[acme.azurecr.io/payments/api]", "[\"x509.subject: ST=WA, O=Acme, CN=Payments CI\"]")),
        "signer.expected.identity").message()).contains("no 'C' attribute");
    assertThat(single(repository(entry("[acme.azurecr.io/payments/api]", "[\"C=US, ST=WA, O=Acme\"]")), "signer.expected.identity").message())
        .contains("write x509.subject: followed by the subject");
  }

  @Test
  void aRepositoryNoRegistryScopeCoversIsAnError() throws IOException {
    Finding exact = single(repository(entry("[acme.azurecr.io/payments/apl]", "[\"" + PAYMENTS + "\"]")), "signer.expected.uncovered");
    assertThat(exact.isError()).isTrue();
    assertThat(exact.line()).isEqualTo(2);
    assertThat(exact.column()).isEqualTo(18);
    assertThat(exact.message()).contains("no statement of environments/production/trustpolicy.json has the registry scope 'acme.azurecr.io/payments/apl'")
        .contains("Did you mean 'acme.azurecr.io/payments/api'?");

    Finding prefix = single(repository(entry("[acme.azurecr.io/billing/*]", "[\"" + PAYMENTS + "\"]")), "signer.expected.uncovered");
    assertThat(prefix.message()).contains("no registry scope of environments/production/trustpolicy.json is a repository under acme.azurecr.io/billing/");

    // a "*" statement covers every repository; this one trusts any identity
    TestRepository global = repository(entry("[acme.azurecr.io/billing/*]", "[\"" + PAYMENTS + "\"]"))
        .policy("production", policy(statement("everything", "*", "audit", "ca:acme-root")));
    assertThat(expectedFindings(global)).isEmpty();
  }

  @Test
  void anIdentityNoCoveringStatementTrustsIsAnErrorNamingTheDifference() throws IOException {
    String finance = "x509.subject: C=US, ST=WA, O=Acme, OU=Finance, CN=Payments CI";
    Finding finding = single(repository(entry("[acme.azurecr.io/payments/api]", "[\"" + finance + "\"]")), "signer.expected.unknownIdentity");
    assertThat(finding.isError()).isTrue();
    assertThat(finding.pointer()).isEqualTo("/expectedSigners/0/identities/0");
    assertThat(finding.line()).isEqualTo(3);
    assertThat(finding.message())
        .contains("trusted by no statement of environments/production/trustpolicy.json covering acme.azurecr.io/payments/api")
        .contains("statement 'payments-api', where OU=Payments in the trust policy vs OU=Finance");

    // trusted for storefront/web, not for payments/api: the entry's patterns are judged one by one
    Finding mixed = single(repository(entry("[acme.azurecr.io/storefront/web, acme.azurecr.io/payments/api]", "[\"" + STOREFRONT + "\"]")),
        "signer.expected.unknownIdentity");
    assertThat(mixed.message()).contains("covering acme.azurecr.io/payments/api:").doesNotContain("covering acme.azurecr.io/storefront/web");
  }

  @Test
  void aNarrowerIdentityThanTheTrustedOneIsTrustedAndABroaderOneIsNot() throws IOException {
    String narrower = "x509.subject: C=US, ST=WA, L=Seattle, O=Acme, OU=Payments, CN=Payments CI";
    assertThat(expectedFindings(repository(entry("[acme.azurecr.io/payments/api]", "[\"" + narrower + "\"]")))).isEmpty();
    String broader = "x509.subject: C=US, ST=WA, O=Acme, OU=Payments";
    assertThat(single(repository(entry("[acme.azurecr.io/payments/api]", "[\"" + broader + "\"]")), "signer.expected.unknownIdentity")
        .message()).contains("CN=Payments CI in the trust policy vs no CN in the expected identity");
  }

  @Test
  void aRepositoryWhoseStatementSkipsVerificationTrustsNoOne() throws IOException {
    TestRepository repository = repository(entry("[acme.azurecr.io/payments/api]", "[\"" + PAYMENTS + "\"]"))
        .policy("production", policy(statement("unverified", "acme.azurecr.io/payments/api", "skip")));
    assertThat(single(repository, "signer.expected.unknownIdentity").message()).contains("statement 'unverified' skips verification");
  }

  @Test
  void withSignersCommittedSomeoneMustHoldTheIdentity() throws IOException {
    // the policy trusts every Acme subject, so only the committed certificates can tell who really signs
    String anyAcme = "x509.subject: C=US, ST=WA, O=Acme";
    TestRepository repository = new TestRepository(temp.resolve("signed"))
        .sharedStore("ca", "acme-root", root)
        .file("signers/storefront/release.pem", storefrontLeaf.pem())
        .policy("production", policy(statement("acme", "acme.azurecr.io/storefront/web", "strict", List.of("ca:acme-root"), anyAcme)))
        .file(FILE, entry("[acme.azurecr.io/storefront/web]", "[\"x509.subject: C=US, ST=WA, O=Acme, OU=Storefront, CN=Storefront Relase\"]"));
    Finding finding = single(repository, "signer.expected.unknownIdentity");
    assertThat(finding.message()).contains("held by no known signer whose chain reaches the stores of 'acme' [ca:acme-root]")
        .contains("signers/storefront/release.pem").contains("CN=Storefront Relase in the expected identity vs CN=Storefront Release");

    repository.file(FILE, entry("[acme.azurecr.io/storefront/web]", "[\"" + STOREFRONT + "\"]"));
    assertThat(validate(repository).findings()).isEmpty();
  }

  @Test
  void aSignerReferenceExpectsThatCertificatesSubject() throws IOException {
    TestRepository repository = repository("""
        expectedSigners:
        - repositories: [acme.azurecr.io/storefront/*]
          signers: [environments/production/signers/storefront.pem]
        """).file("environments/production/signers/storefront.pem", storefrontLeaf.pem())
        .file("signers/payments.pem", paymentsLeaf.pem());
    ValidationReport report = validate(repository);

    assertThat(report.findings()).isEmpty();
    List<ExpectedIdentity> identities = report.environments().get("production").expectedSigners().forRepository("acme.azurecr.io/storefront/web");
    assertThat(identities).singleElement().satisfies(identity -> {
      assertThat(identity.signer()).isEqualTo("environments/production/signers/storefront.pem");
      assertThat(identity.identity()).isEqualTo("x509.subject: C=US, ST=WA, L=Seattle, O=Acme, OU=Storefront, CN=Storefront Release");
      assertThat(identity.isSatisfiedBy(storefrontLeaf.certificate())).isTrue();
      assertThat(identity.isSatisfiedBy(paymentsLeaf.certificate())).isFalse();
    });

    // the payments signer is not trusted for storefront repositories
    repository.file(FILE, "expectedSigners:\n- repositories: [acme.azurecr.io/storefront/web]\n  signers: [signers/payments.pem]\n");
    assertThat(single(repository, "signer.expected.unknownIdentity").message()).contains("expected signer signers/payments.pem");
  }

  @Test
  void anUnknownSignerIsNamedWithTheRightPath() throws IOException {
    TestRepository repository = repository("expectedSigners:\n- repositories: [acme.azurecr.io/storefront/web]\n  signers: [signers/storefront.pem]\n")
        .file("environments/production/signers/storefront.pem", storefrontLeaf.pem())
        .file("signers/payments.pem", paymentsLeaf.pem());
    Finding finding = single(repository, "signer.expected.unknownSigner");
    assertThat(finding.pointer()).isEqualTo("/expectedSigners/0/signers/0");
    assertThat(finding.message()).contains("write 'environments/production/signers/storefront.pem'");

    repository.file(FILE, "expectedSigners:\n- repositories: [acme.azurecr.io/storefront/web]\n  signers: [signers/paymens.pem]\n");
    assertThat(single(repository, "signer.expected.unknownSigner").message()).contains("did you mean 'signers/payments.pem'?");
  }

  @Test
  void overlappingEntriesAreAWarningNamingBothPlacesAndTheWinner() throws IOException {
    ValidationReport report = validate(repository("""
        expectedSigners:
        - repositories: [acme.azurecr.io/storefront/*]
          identities: ["%s"]
        - repositories: [acme.azurecr.io/storefront/web]
          identities: ["%s"]
        """.formatted(STOREFRONT, STOREFRONT)));

    assertThat(report.findings()).singleElement().satisfies(f -> {
      assertThat(f.ruleId()).isEqualTo("signer.expected.overlap");
      assertThat(f.isError()).isFalse();
      assertThat(f.pointer()).isEqualTo("/expectedSigners/1/repositories/0");
      assertThat(f.line()).isEqualTo(4);
      assertThat(f.column()).isEqualTo(18);
      assertThat(f.message()).contains("'acme.azurecr.io/storefront/web' overlaps 'acme.azurecr.io/storefront/*' at /expectedSigners/0/repositories/0 (line 2)")
          .contains("most specific pattern, 'acme.azurecr.io/storefront/web', so only the identities of /expectedSigners/1 count there");
    });
    assertThat(report.accepted()).isTrue();

    Finding equal = single(repository("""
        expectedSigners:
        - repositories: [acme.azurecr.io/storefront/*]
          identities: ["%s"]
        - repositories: [acme.azurecr.io/storefront/*]
          identities: ["%s"]
        """.formatted(STOREFRONT, STOREFRONT)), "signer.expected.overlap");
    assertThat(equal.message()).contains("the first of two equal patterns, so the identities of /expectedSigners/0 count there");

    Finding nested = single(repository("""
        expectedSigners:
        - repositories: [acme.azurecr.io/*]
          identities: ["x509.subject: C=US, ST=WA, O=Acme, OU=Payments, CN=Payments CI"]
        - repositories: [acme.azurecr.io/payments/*]
          identities: ["%s"]
        """.formatted(PAYMENTS)), "signer.expected.overlap");
    assertThat(nested.message()).contains("both match every repository under acme.azurecr.io/payments/");
  }

  @Test
  void patternsOfOneEntryMayOverlap() throws IOException {
    assertThat(expectedFindings(repository(entry("[acme.azurecr.io/storefront/*, acme.azurecr.io/storefront/web]", "[\"" + STOREFRONT + "\"]"))))
        .isEmpty();
  }

  @Test
  void aSingleEnvironmentFolderIsCheckedToo() throws IOException {
    TestRepository repository = repository(entry("[acme.azurecr.io/payments/apl]", "[\"" + PAYMENTS + "\"]"));
    ValidationReport report = RepositoryValidator.validate(RepositoryReader.readEnvironment(repository.path("environments/production"),
        RepositoryReader.DEFAULT_MAX_FILE_BYTES), ValidationOptions.at(TestCertificates.NOW));
    assertThat(report.findings()).extracting(Finding::ruleId).containsExactly("signer.expected.uncovered");
  }
}
