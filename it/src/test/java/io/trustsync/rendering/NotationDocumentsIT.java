package io.trustsync.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.findings.Finding;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.repository.EnvironmentDirectory;
import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.repository.RepoFile;
import io.trustsync.testing.ProjectFolder;
import io.trustsync.trustpolicy.RepeatedKeyDocuments;
import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.trustpolicy.TrustPolicyValidator;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestRepository;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.validation.ValidationReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
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

  /**
   * Documents that repeat keys: TrustSync decodes each as notation-go does (merged objects, arrays
   * merged by index into the slice already there, a later null), and its notation.* rules reach
   * notation-go's verdict on what that decoding yields.
   */
  @Test
  void repeatedKeysDecodeAsNotationGoDecodesThem() throws Exception {
    Path documents = Files.createDirectories(temp.resolve("decoded"));
    Map<String, TrustPolicyValidator.Result> results = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : RepeatedKeyDocuments.all().entrySet()) {
      TrustPolicyValidator.Result result = TrustPolicyValidator.validate(
          new RepoFile("environments/prod/trustpolicy.json", entry.getValue().getBytes(StandardCharsets.UTF_8)));
      results.put(entry.getKey(), result);
      Files.writeString(documents.resolve(entry.getKey() + ".repo.json"), entry.getValue());
      if (result.document() != null) {
        Files.writeString(documents.resolve(entry.getKey() + ".decoded.json"), JSON.writeValueAsString(decoded(result.document())));
      }
    }
    JsonNode report = ConsumerChecks.run(temp.resolve("decoded-report.json"), "notation-check.sh", "--decoded", documents.toString());

    assertThat(report).hasSize(results.size());
    for (JsonNode go : report) {
      String name = go.get("name").asText();
      TrustPolicyValidator.Result ours = results.get(name);
      assertThat(ours.document() == null).as(name + ": TrustSync cannot decode exactly when Go cannot (%s)", go.path("decodeError").asText())
          .isEqualTo(!go.path("decodeError").asText().isEmpty());
      if (ours.document() == null) {
        continue;
      }
      assertThat(go.get("compared").asBoolean()).as(name).isTrue();
      assertThat(go.get("equal").asBoolean()).as(name + ": decoded alike; Go %s TrustSync %s", go.get("go"), go.get("trustsync")).isTrue();
      boolean notationRejects = ours.findings().stream().anyMatch(f -> f.isError() && f.ruleId().startsWith("notation."));
      assertThat(notationRejects).as(name + ": notation.* verdict; notation-go says '%s'; TrustSync found %s",
          go.path("validateError").asText(), ours.findings()).isEqualTo(!go.path("validateError").asText().isEmpty());
    }
  }

  /** TrustSync's decoded document as notation-go's JSON shape. */
  private static JsonNode decoded(TrustPolicyDocument document) {
    ObjectNode root = JSON.createObjectNode().put("version", document.version());
    ArrayNode statements = root.putArray("trustPolicies");
    for (TrustPolicyStatement statement : document.statements()) {
      ObjectNode out = statements.addObject().put("name", statement.name());
      statement.registryScopes().forEach(out.putArray("registryScopes")::add);
      ObjectNode verification = out.putObject("signatureVerification")
          .put("level", statement.level()).put("verifyTimestamp", statement.verifyTimestamp());
      statement.override().forEach(verification.putObject("override")::put);
      statement.trustStores().forEach(out.putArray("trustStores")::add);
      statement.trustedIdentities().forEach(out.putArray("trustedIdentities")::add);
    }
    return root;
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
