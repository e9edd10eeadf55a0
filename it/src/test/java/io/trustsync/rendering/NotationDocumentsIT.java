package io.trustsync.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.findings.Finding;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.repository.EnvironmentDirectory;
import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.testing.ProjectFolder;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestRepository;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.validation.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every trust policy document TrustSync renders (the native TrustPolicy, Ratify v1's
 * trustPolicyDoc, the flux Secret's and the notation ConfigMap's trustpolicy.json) loads in notation-go v1.3.2 and equals, field by field, what notation-go itself
 * decodes from the repository's trustpolicy.json (scripts/notation-check.sh).
 */
class NotationDocumentsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void notationGoReadsEveryRenderedDocumentAsTheRepositorysOwn() throws Exception {
    List<PolicyRepository> repositories = List.of(
        RepositoryReader.read(ProjectFolder.root().resolve("policy-repo-example")),
        RepositoryReader.read(TestRepository.awkwardNames(temp.resolve("awkward")).root()),
        RepositoryReader.read(everyOption(temp.resolve("options")).root()));
    Path documents = Files.createDirectories(temp.resolve("documents"));
    int pairs = 0;
    for (PolicyRepository repository : repositories) {
      ValidationReport report = RepositoryValidator.validate(repository,
          repository.root().contains("policy-repo-example") ? ValidationOptions.at(Instant.now()) : ValidationOptions.at(TestCertificates.NOW));
      assertThat(report.findings()).noneMatch(Finding::isError);
      for (AcceptedEnvironment environment : report.environments().values()) {
        EnvironmentDirectory directory = repository.environment(environment.name());
        for (Profile profile : List.of(Profile.NATIVE, Profile.RATIFY_V1, Profile.FLUX, Profile.NOTATION)) {
          Rendering rendering = profile.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), "abc",
              "ns", Map.of()));
          for (RenderedObject object : rendering.objects()) {
            JsonNode document = switch (object.kind()) {
              case "TrustPolicy" -> object.manifest().get("spec");
              case "NamespacedVerifier" -> object.manifest().at("/spec/parameters/trustPolicyDoc");
              case "Secret" -> JSON.readTree(java.util.Base64.getDecoder().decode(object.manifest().at("/data/trustpolicy.json").asText()));
              case "ConfigMap" -> object.manifest().at("/data/trustpolicy.json").isMissingNode() ? null
                  : JSON.readTree(object.manifest().at("/data/trustpolicy.json").asText());
              default -> null;
            };
            if (document == null) {
              continue;
            }
            String name = String.format("%02d-%s-%s", pairs++, environment.name(), profile.id());
            Files.write(documents.resolve(name + ".repo.json"), directory.trustPolicy().content());
            Files.writeString(documents.resolve(name + ".rendered.json"), JSON.writeValueAsString(document));
          }
        }
      }
    }
    JsonNode results = ConsumerChecks.run(temp.resolve("report.json"), "notation-check.sh", documents.toString());

    assertThat(results).hasSize(pairs);
    assertThat(pairs).isGreaterThanOrEqualTo(8);
    for (JsonNode result : results) {
      String name = result.get("name").asText();
      assertThat(result.path("repoError").asText()).as(name + ": notation-go loads the repository's document").isEmpty();
      assertThat(result.path("renderedError").asText()).as(name + ": notation-go loads the rendered document").isEmpty();
      assertThat(result.get("equal").asBoolean()).as(name + ": equal field by field; repo %s rendered %s", result.get("repo"), result.get("rendered"))
          .isTrue();
    }
  }

  /** Overrides, verifyTimestamp, every level, several stores and identities: every field notation reads. */
  private static TestRepository everyOption(Path root) {
    return new TestRepository(root)
        .sharedStore("ca", "acme-root", TestCertificates.root("Acme Root").issue())
        .sharedStore("tsa", "acme-tsa", TestCertificates.root("Acme TSA").issue())
        .policy("staging", """
            {
              "version": "1.0",
              "trustPolicies": [
                {"name": "strict-release", "registryScopes": ["r.example/app", "r.example/worker"],
                 "signatureVerification": {"level": "strict", "override": {"revocation": "log", "expiry": "log"}, "verifyTimestamp": "afterCertExpiry"},
                 "trustStores": ["ca:acme-root", "tsa:acme-tsa"],
                 "trustedIdentities": ["x509.subject: C=US, ST=WA, O=Acme, CN=Release", "x509.subject: C=US, S=WA, O=Acme, OU=Ops, CN=Hotfix"]},
                {"name": "permissive", "registryScopes": ["r.example/preview"], "signatureVerification": {"level": "permissive"},
                 "trustStores": ["ca:acme-root"], "trustedIdentities": ["*"]},
                {"name": "audit", "registryScopes": ["r.example/dev"], "signatureVerification": {"level": "audit", "override": {"authenticity": "log"}},
                 "trustStores": ["ca:acme-root"], "trustedIdentities": ["*"]},
                {"name": "rest", "registryScopes": ["*"], "signatureVerification": {"level": "skip"}}
              ]
            }
            """);
  }

}
