package io.trustsync.cli;

import static io.trustsync.cli.ValidateCommandTest.EXAMPLE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.trustsync.truststore.TestRepository;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  @TempDir Path temp;

  private static List<JsonNode> documents(String yaml) throws Exception {
    try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      return values.readAll();
    }
  }

  private static List<String> kinds(String yaml) throws Exception {
    return documents(yaml).stream().map(d -> d.get("kind").asText()).toList();
  }

  @Test
  void rendersNativeTrustStoresAndTrustPolicyAsYaml() throws Exception {
    CommandRun run = CommandRun.of("render", EXAMPLE, "--env", "production");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(kinds(run.out())).containsExactly("TrustStore", "TrustStore", "TrustPolicy");
    assertThat(documents(run.out())).allSatisfy(d -> assertThat(d.get("apiVersion").asText()).startsWith("trustsync.io/"));
  }

  @Test
  void rendersRatifyV1ProvidersAndVerifierInTheNamespace() throws Exception {
    CommandRun run = CommandRun.of("render", EXAMPLE, "--env", "production", "--profile", "ratify-v1", "--namespace", "gatekeeper-system");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(kinds(run.out()))
        .containsExactly("NamespacedKeyManagementProvider", "NamespacedKeyManagementProvider", "NamespacedVerifier");
    assertThat(documents(run.out())).allSatisfy(d -> assertThat(d.at("/metadata/namespace").asText()).isEqualTo("gatekeeper-system"));
  }

  @Test
  void rendersRatifyV2ExecutorsAndPrintsWhatV2CannotExpressOnStderr() throws Exception {
    CommandRun run = CommandRun.of("render", EXAMPLE, "--env", "production", "--profile", "ratify-v2");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(kinds(run.out())).containsExactly("Executor");
    JsonNode executor = documents(run.out()).getFirst();
    assertThat(executor.at("/apiVersion").asText()).isEqualTo("config.ratify.sh/v2beta1");
    // production's identity restriction is kept: nothing to warn about
    assertThat(executor.at("/spec/verifiers/0/parameters/trustedIdentities/0").asText()).startsWith("x509.subject: ");
    assertThat(run.err()).isEmpty();

    CommandRun development = CommandRun.of("render", EXAMPLE, "--env", "development", "--profile", "ratify-v2");
    assertThat(development.exitCode()).as(development.err()).isZero();
    assertThat(development.err()).contains("warning render.ratifyV2.skip").contains("environments/development/trustpolicy.json");
  }

  @Test
  void ratifyV2OptionsFromTheCommandLine() throws Exception {
    CommandRun run = CommandRun.of("render", EXAMPLE, "--env", "production", "--profile", "ratify-v2",
        "--ratify-api-version", "config.ratify.sh/v2alpha1", "--registry-credential", "azure,clientID=0000-1111");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode executor = documents(run.out()).getFirst();
    assertThat(executor.at("/apiVersion").asText()).isEqualTo("config.ratify.sh/v2alpha1");
    assertThat(executor.at("/spec/stores/0/parameters/credential/provider").asText()).isEqualTo("azure");
    assertThat(executor.at("/spec/stores/0/parameters/credential/clientID").asText()).isEqualTo("0000-1111");

    CommandRun password = CommandRun.of("render", EXAMPLE, "--env", "production", "--profile", "ratify-v2",
        "--registry-credential", "static,password=hunter2");
    assertThat(password.exitCode()).isEqualTo(2);
    assertThat(password.err()).contains("--registry-credential option password").contains("anonymous").doesNotContain("hunter2");
  }

  @Test
  void rendersTheOnlyEnvironmentOfAnEnvironmentFolderWithoutEnv() throws Exception {
    CommandRun run = CommandRun.of("render", EXAMPLE.resolve("environments/development"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(kinds(run.out())).containsExactly("TrustStore", "TrustStore", "TrustPolicy");
  }

  @Test
  void printsFindingsAndNoObjectsWhenTheRepositoryIsInvalid() {
    TestRepository repo = ValidateCommandTest.misspelledStore(temp.resolve("repo"));

    CommandRun run = CommandRun.of("render", repo.root());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("error repo.unknownStore").contains("nothing rendered");
  }

  @Test
  void requiresEnvWhenTheRepositoryHasSeveralEnvironments() {
    CommandRun run = CommandRun.of("render", EXAMPLE);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).singleElement().asString().contains("--env").contains("development, production");
  }

  @Test
  void unknownEnvironmentIsAUsageError() {
    CommandRun run = CommandRun.of("render", EXAMPLE, "--env", "staging");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).singleElement().asString().contains("no environment 'staging'");
  }

  @Test
  void unknownProfileIsAUsageErrorNamingTheProfiles() {
    CommandRun run = CommandRun.of("render", EXAMPLE, "--env", "production", "--profile", "kyverno");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).singleElement().asString()
        .contains("unknown profile 'kyverno'").contains("native, ratify-v1, ratify-v2");
  }

  @Test
  void aSingleTrustPolicyFileCannotBeRendered() {
    CommandRun run = CommandRun.of("render", EXAMPLE.resolve("environments/production/trustpolicy.json"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).singleElement().asString().contains("rendering needs the repository");
  }

  @Test
  void rendersTheSameBytesTwice() {
    CommandRun first = CommandRun.of("render", EXAMPLE, "--env", "development", "--revision", "abc123");
    CommandRun second = CommandRun.of("render", EXAMPLE, "--env", "development", "--revision", "abc123");

    assertThat(first.exitCode()).isZero();
    assertThat(second.out()).isEqualTo(first.out()).contains("trustsync.io/source-revision: abc123");
  }
}
