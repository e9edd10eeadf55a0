package io.trustsync.truststore;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.repository.EnvironmentDirectory;
import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.repository.TrustStoreDirectory;
import io.trustsync.findings.Finding;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.validation.ExpectedSigners;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.validation.ValidationReport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * policy-repo-example/ is what users copy: its stores must pass the store rules. Its certificates
 * are real and do expire, so this test deliberately validates at the real current time with a
 * one-year window: when it fails, run policy-repo-example/scripts/generate-certificates.sh --force.
 */
class PolicyRepoExampleTest {
  /** Tests run with operator/ as the working directory. */
  private static final Path EXAMPLE = Path.of("../policy-repo-example");

  private static PolicyRepository example;

  @BeforeAll
  static void read() throws IOException {
    example = RepositoryReader.read(EXAMPLE);
  }

  @Test
  void hasASharedStoreAndEnvironmentOnlyStoresForProductionAndDevelopment() {
    assertThat(example.layoutFindings()).isEmpty();
    assertThat(example.sharedStores()).extracting(TrustStoreDirectory::reference).containsExactly("ca:acme-root");
    assertThat(example.environments()).extracting(EnvironmentDirectory::name).containsExactly("development", "production");
    assertThat(example.environment("development").stores()).extracting(TrustStoreDirectory::reference).containsExactly("ca:dev-team-root");
    assertThat(example.environment("production").stores()).extracting(TrustStoreDirectory::reference).containsExactly("tsa:acme-tsa");
    assertThat(example.environments()).allSatisfy(e -> assertThat(e.trustPolicy()).isNotNull());
  }

  @Test
  void storesHaveNoErrorFindings() {
    List<Finding> findings = validateAll(ValidationOptions.at(Instant.now()));

    assertThat(findings).filteredOn(Finding::isError).as("error findings in policy-repo-example").isEmpty();
  }

  @Test
  void noRootExpiresWithinAYear() {
    ValidationOptions aYearAhead = new ValidationOptions(Instant.now(), Duration.ofDays(365), RepositoryReader.DEFAULT_MAX_FILE_BYTES);
    List<Finding> findings = validateAll(aYearAhead);

    assertThat(findings)
        .filteredOn(f -> f.ruleId().equals("store.expiringSoon") || f.ruleId().equals("store.expired"))
        .as("policy-repo-example's certificates are about to expire: run policy-repo-example/scripts/generate-certificates.sh --force and commit the new roots")
        .isEmpty();
  }

  @Test
  void storesHoldOnlyRootCertificates() {
    List<TrustedCertificate> certificates = allStores().map(s -> TrustStoreValidator.validate(s, ValidationOptions.at(Instant.now())))
        .flatMap(r -> r.store().certificates().stream()).toList();

    assertThat(certificates).hasSize(3).allSatisfy(c -> assertThat(c.subject()).isEqualTo(c.issuer()));
  }

  @Test
  void theWholeExampleIsAcceptedWithProductionsExpectedSigners() {
    ValidationReport report = RepositoryValidator.validate(example, ValidationOptions.at(Instant.now()));

    assertThat(report.findings()).filteredOn(Finding::isError).as("error findings in policy-repo-example").isEmpty();
    assertThat(report.findings()).noneMatch(f -> f.ruleId().startsWith("signer."));
    assertThat(example.environment("production").expectedSigners()).isNotNull();
    ExpectedSigners production = report.environments().get("production").expectedSigners();
    String release = "x509.subject: C=US, ST=WA, L=Seattle, O=Acme, OU=Platform, CN=Acme Release Signing";
    for (String repository : List.of("acme.azurecr.io/payments/api", "acme.azurecr.io/payments/worker", "acme.azurecr.io/storefront/web")) {
      assertThat(production.forRepository(repository)).as(repository).extracting(ExpectedSigners.ExpectedIdentity::identity).containsExactly(release);
    }
    assertThat(production.expects("acme.azurecr.io/dev/web")).isFalse();
    assertThat(report.environments().get("development").expectedSigners()).isSameAs(ExpectedSigners.NONE);
  }

  private static List<Finding> validateAll(ValidationOptions options) {
    List<Finding> findings = new ArrayList<>();
    allStores().forEach(store -> findings.addAll(TrustStoreValidator.validate(store, options).findings()));
    return findings;
  }

  private static Stream<TrustStoreDirectory> allStores() {
    return Stream.concat(example.sharedStores().stream(), example.environments().stream().flatMap(e -> e.stores().stream()));
  }
}
