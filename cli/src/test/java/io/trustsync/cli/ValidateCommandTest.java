package io.trustsync.cli;

import static io.trustsync.truststore.TestRepository.policy;
import static io.trustsync.truststore.TestRepository.statement;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestRepository;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  /** Tests run with operator/ as the working directory. */
  static final Path EXAMPLE = Path.of("../policy-repo-example");

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  /** The seed tutorial's bug: the folder says GlobalSIgn, the policy says GlobalSign. */
  static TestRepository misspelledStore(Path root) {
    return new TestRepository(root)
        .sharedStore("ca", "GlobalSIgn", TestCertificates.root("GlobalSign Root CA").issue())
        .policy("production", policy(statement("images", "registry.acme.example/app", "strict", "ca:GlobalSign")));
  }

  /** "line:column" of the first occurrence of {@code text} in the file, as a JSON parser counts. */
  static String placeOf(Path file, String text) throws Exception {
    List<String> lines = java.nio.file.Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      int column = lines.get(i).indexOf(text);
      if (column >= 0) {
        return (i + 1) + ":" + (column + 1);
      }
    }
    throw new AssertionError(text + " not in " + file);
  }

  @Test
  void acceptsThePolicyRepoExampleWithExitCodeZero() {
    CommandRun run = CommandRun.of("validate", EXAMPLE);

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("0 errors").contains("accepted");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void rejectsARepositoryWithAnErrorPrintingFileLineColumnRuleAndMessage() throws Exception {
    TestRepository repo = misspelledStore(temp.resolve("repo"));
    Path policyFile = repo.path("environments/production/trustpolicy.json");

    CommandRun run = CommandRun.of("validate", repo.root());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains(policyFile + ":" + placeOf(policyFile, "\"ca:GlobalSign\"")
        + ": error repo.unknownStore [/trustPolicies/0/trustStores/0]: statement 'images' references trust store 'ca:GlobalSign'");
    assertThat(run.out()).contains("1 error").contains("rejected");
  }

  @Test
  void unknownOptionIsAUsageErrorOnOneLine() {
    CommandRun run = CommandRun.of("validate", "--bogus", EXAMPLE);

    assertUsageError(run, "--bogus");
  }

  @Test
  void missingPathIsAUsageError() {
    CommandRun run = CommandRun.of("validate");

    assertUsageError(run, "PATH");
  }

  @Test
  void nonexistentPathIsAnIoErrorWithExitCodeTwo() {
    CommandRun run = CommandRun.of("validate", temp.resolve("no-such-repo"));

    assertUsageError(run, "no such file or directory: " + temp.resolve("no-such-repo"));
  }

  @Test
  void directoryThatIsNoPolicyRepositoryIsAUsageError() {
    CommandRun run = CommandRun.of("validate", temp);

    assertUsageError(run, "is not a policy repository");
  }

  @Test
  void unknownFormatIsAUsageError() {
    CommandRun run = CommandRun.of("validate", "--format", "xml", EXAMPLE);

    assertUsageError(run, "xml");
  }

  private static void assertUsageError(CommandRun run, String mentioning) {
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).startsWith("trustsync").contains(mentioning).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void validatesSeveralPathsAndFailsWhenAnyHasAnError() {
    TestRepository broken = misspelledStore(temp.resolve("broken"));

    CommandRun run = CommandRun.of("validate", EXAMPLE, broken.root());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains(EXAMPLE + ": 0 errors").contains(broken.root() + ": 1 error");
  }

  @Test
  void jsonFormatCarriesEveryFindingWithItsPlace() throws Exception {
    TestRepository repo = misspelledStore(temp.resolve("repo"));
    Path policyFile = repo.path("environments/production/trustpolicy.json");

    CommandRun run = CommandRun.of("validate", "--format", "json", repo.root(), EXAMPLE);

    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode results = JSON.readTree(run.out()).get("results");
    assertThat(results).hasSize(2);
    assertThat(results.get(0).get("accepted").asBoolean()).isFalse();
    assertThat(results.get(0).get("kind").asText()).isEqualTo("repository");
    assertThat(results.get(1).get("accepted").asBoolean()).isTrue();
    JsonNode finding = results.get(0).get("findings").get(0);
    assertThat(finding.get("ruleId").asText()).isEqualTo("repo.unknownStore");
    assertThat(finding.get("severity").asText()).isEqualTo("error");
    assertThat(finding.get("file").asText()).isEqualTo(policyFile.toString());
    assertThat(finding.get("line").asInt() + ":" + finding.get("column").asInt()).isEqualTo(placeOf(policyFile, "\"ca:GlobalSign\""));
    assertThat(finding.get("pointer").asText()).isEqualTo("/trustPolicies/0/trustStores/0");
    assertThat(finding.get("message").asText()).contains("ca:GlobalSign");
  }

  @Test
  void sarifFormatHasTheSarif210Shape() throws Exception {
    TestRepository repo = misspelledStore(temp.resolve("repo"));
    Path policyFile = repo.path("environments/production/trustpolicy.json");

    CommandRun run = CommandRun.of("validate", "--format", "sarif", repo.root());

    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode log = JSON.readTree(run.out());
    assertThat(log.get("version").asText()).isEqualTo("2.1.0");
    assertThat(log.get("$schema").asText()).contains("sarif-2.1.0");
    JsonNode runNode = log.get("runs").get(0);
    assertThat(runNode.at("/tool/driver/name").asText()).isEqualTo("trustsync");
    assertThat(runNode.at("/tool/driver/rules/0/id").asText()).isEqualTo("repo.unknownStore");
    assertThat(runNode.at("/tool/driver/version").asText()).isNotBlank();
    JsonNode rule = runNode.at("/tool/driver/rules/0");
    assertThat(rule.at("/fullDescription/text").asText()).contains("does not exist");
    assertThat(rule.at("/help/text").asText()).contains("Fix the reference");
    assertThat(rule.get("helpUri").asText()).contains("docs/rules/repository.md");
    assertThat(rule.at("/defaultConfiguration/level").asText()).isEqualTo("error");
    JsonNode result = runNode.get("results").get(0);
    assertThat(result.get("ruleId").asText()).isEqualTo("repo.unknownStore");
    assertThat(result.get("level").asText()).isEqualTo("error");
    assertThat(result.at("/message/text").asText()).contains("ca:GlobalSign");
    JsonNode location = result.at("/locations/0/physicalLocation");
    assertThat(location.at("/artifactLocation/uri").asText()).isEqualTo(policyFile.toString());
    JsonNode region = location.get("region");
    assertThat(region.get("startLine").asInt() + ":" + region.get("startColumn").asInt())
        .isEqualTo(placeOf(policyFile, "\"ca:GlobalSign\""));
  }

  @Test
  void sarifUrisArePercentEncoded() throws Exception {
    TestRepository repo = TestRepository.valid(temp.resolve("repo"))
        .sharedStore("ca", "acme root", TestCertificates.root("Spaced Root").issue());

    CommandRun run = CommandRun.of("validate", "--format", "sarif", repo.root());

    JsonNode result = JSON.readTree(run.out()).at("/runs/0/results/0");
    assertThat(result.get("ruleId").asText()).isEqualTo("store.invalidName");
    assertThat(result.at("/locations/0/physicalLocation/artifactLocation/uri").asText())
        .isEqualTo(repo.root() + "/truststore/x509/ca/acme%20root");
    assertThat(ReportFormat.uri("env:a/ü b.json")).isEqualTo("env%3Aa/%C3%BC%20b.json");
  }

  @Test
  void githubFormatEmitsEscapedWorkflowAnnotations() throws Exception {
    // ',' and ':' end a property in a workflow command, so a path holding them must be escaped.
    TestRepository repo = misspelledStore(temp.resolve("team,a:b"));
    Path policyFile = repo.path("environments/production/trustpolicy.json");
    String[] place = placeOf(policyFile, "\"ca:GlobalSign\"").split(":");

    CommandRun run = CommandRun.of("validate", "--format", "github", repo.root());

    assertThat(run.exitCode()).isEqualTo(1);
    String escapedFile = policyFile.toString().replace(",", "%2C").replace(":", "%3A");
    assertThat(run.out().lines().filter(l -> l.startsWith("::error ")))
        .singleElement()
        .asString()
        .startsWith("::error file=" + escapedFile + ",line=" + place[0] + ",col=" + place[1] + ",title=repo.unknownStore::")
        .contains("statement 'images' references trust store 'ca:GlobalSign'");
  }

  @Test
  void githubFormatEscapesPercentAndNewlinesInMessages() {
    // The statement name is quoted in the message; a raw newline would end the workflow command.
    TestRepository repo = misspelledStore(temp.resolve("repo"))
        .policy("production", policy(statement("100% sure\\nreally", "registry.acme.example/app", "strict", "ca:GlobalSign")));

    CommandRun run = CommandRun.of("validate", "--format", "github", repo.root());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("title=repo.unknownStore::statement '100%25 sure%0Areally' references");
  }

  @Test
  void validatesOneEnvironmentFolderWithTheSharedStoresOfItsRepository() {
    TestRepository repo = TestRepository.valid(temp.resolve("repo"))
        .policy("staging", policy(statement("images", "registry.acme.example/app", "strict", "ca:missing")));

    CommandRun production = CommandRun.of("validate", repo.path("environments/production"));
    CommandRun staging = CommandRun.of("validate", repo.path("environments/staging"));

    assertThat(production.exitCode()).as(production.out()).isZero();
    assertThat(staging.exitCode()).isEqualTo(1);
    assertThat(staging.out()).contains(repo.path("environments/staging/trustpolicy.json") + ":")
        .contains("repo.unknownStore").doesNotContain("environments/production");
  }

  @Test
  void followsALinkTheUserNamesOnTheCommandLine() throws Exception {
    TestRepository repo = TestRepository.valid(temp.resolve("repo"));
    Path link = java.nio.file.Files.createSymbolicLink(temp.resolve("link"), repo.root());

    CommandRun run = CommandRun.of("validate", link);

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains(link + ": 0 errors");
  }

  @Test
  void validatesASingleTrustPolicyFileWithoutItsStores() throws Exception {
    Path good = temp.resolve("good.json");
    java.nio.file.Files.writeString(good, policy(statement("images", "registry.acme.example/app", "strict", "ca:anything")));
    Path bad = temp.resolve("bad.json");
    java.nio.file.Files.writeString(bad, policy(statement("images", "registry.acme.example/app", "Strict", "ca:anything")));

    CommandRun goodRun = CommandRun.of("validate", good);
    CommandRun badRun = CommandRun.of("validate", bad);

    assertThat(goodRun.exitCode()).as(goodRun.out()).isZero();
    assertThat(badRun.exitCode()).isEqualTo(1);
    assertThat(badRun.out()).contains(bad + ":" + placeOf(bad, "\"Strict\"") + ": error notation.");
  }

  @Test
  void warningsAsErrorsTurnsAWarningIntoExitCodeOne() {
    TestRepository repo = TestRepository.valid(temp.resolve("repo"))
        .sharedStore("ca", "unused", TestCertificates.root("Unused Root CA").issue());

    assertThat(CommandRun.of("validate", repo.root()).exitCode()).isZero();
    assertThat(CommandRun.of("validate", "--warnings-as-errors", repo.root()).exitCode()).isEqualTo(1);
  }

  @Test
  void helpOfEverySubcommandShowsExamples() {
    for (String command : List.of("validate", "render", "diff", "operator")) {
      CommandRun run = CommandRun.of(command, "--help");

      assertThat(run.exitCode()).as(command).isZero();
      assertThat(run.out()).as(command).contains("Examples:").contains("trustsync " + command + " ");
    }
    // demo and bench belong to the development entry point (testkit), not to the production jar
    assertThat(CommandRun.of("--help").out()).contains("validate").contains("render").contains("operator").contains("Exit codes")
        .doesNotContain("bench");
  }

  @Test
  void warningsAsErrorsAndTheSummaryAgree() {
    CommandRun run = CommandRun.of("validate", EXAMPLE.toString(), "--warnings-as-errors");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("error notation.skipGlobalScope").contains("[error by --warnings-as-errors]")
        .contains("1 error, 0 warnings — rejected").doesNotContain("accepted");
  }

  @Test
  void theRepositorysGateConfigurationSetsSeverities() throws Exception {
    java.nio.file.Path repo = temp.resolve("configured");
    copy(EXAMPLE, repo);
    java.nio.file.Files.writeString(repo.resolve(".trustsync.yaml"), """
        rules:
          notation.skipGlobalScope: {severity: off, reason: development runs public images unverified}
        """);
    CommandRun suppressed = CommandRun.of("validate", repo.toString());
    assertThat(suppressed.exitCode()).as(suppressed.out()).isZero();
    assertThat(suppressed.out()).contains("0 errors, 0 warnings, 1 suppressed by .trustsync.yaml — accepted");
    JsonNode json = JSON.readTree(CommandRun.of("validate", repo.toString(), "--format", "json").out());
    assertThat(json.at("/results/0/suppressed/0/ruleId").asText()).isEqualTo("notation.skipGlobalScope");
    assertThat(json.at("/results/0/suppressed/0/reason").asText()).isEqualTo("development runs public images unverified");

    java.nio.file.Files.writeString(repo.resolve(".trustsync.yaml"), "rules:\n  notation.skipGlobalScope: error\n");
    CommandRun promoted = CommandRun.of("validate", repo.toString());
    assertThat(promoted.exitCode()).isEqualTo(1);
    assertThat(promoted.out()).contains("error notation.skipGlobalScope").contains("[error by .trustsync.yaml]");

    java.nio.file.Files.writeString(repo.resolve(".trustsync.yaml"), "rules:\n  notation.scopeFormat: off\n");
    CommandRun refused = CommandRun.of("validate", repo.toString());
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.out()).contains("config.cannotDemote").contains(".trustsync.yaml");
  }

  @Test
  void aLargeValidPolicyValidatesUnderTheDefaultLimit() throws Exception {
    // 5,000 statements, about 1.6 MB: over the old 1 MiB limit, well under the 4 MiB default.
    StringBuilder policy = new StringBuilder("{\"version\": \"1.0\", \"trustPolicies\": [");
    for (int i = 0; i < 5_000; i++) {
      policy.append(i == 0 ? "" : ",").append("\n  {\"name\": \"team-").append(i)
          .append("\", \"registryScopes\": [\"registry.example.com/teams/team-").append(i).append("/service\"],")
          .append(" \"signatureVerification\": {\"level\": \"strict\", \"override\": {\"revocation\": \"log\"}},")
          .append(" \"trustStores\": [\"ca:team-").append(i).append("\"],")
          .append(" \"trustedIdentities\": [\"x509.subject: C=US, ST=WA, L=Seattle, O=Example Corporation, OU=Team ").append(i)
          .append(", CN=Release Signing\"]}");
    }
    java.nio.file.Path large = temp.resolve("large.json");
    java.nio.file.Files.writeString(large, policy.append("\n]}\n"));
    assertThat(java.nio.file.Files.size(large)).isGreaterThan(1_500_000L);

    CommandRun run = CommandRun.of("validate", large.toString());

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("accepted");
  }

  @Test
  void anOversizedPolicyFileIsAFindingAndOtherFilesStillReport() throws Exception {
    java.nio.file.Path big = temp.resolve("big.json");
    java.nio.file.Files.writeString(big, " ".repeat(5 * 1024 * 1024) + "{}");
    java.nio.file.Path small = EXAMPLE.resolve("environments/production/trustpolicy.json");
    CommandRun run = CommandRun.of("validate", big.toString(), small.toString(), temp.resolve("missing.json").toString(), "--format", "json");

    assertThat(run.exitCode()).as("a missing path is still a usage error").isEqualTo(2);
    JsonNode json = JSON.readTree(run.out());
    assertThat(json.at("/results")).hasSize(2);
    assertThat(json.at("/results/0/findings/0/ruleId").asText()).isEqualTo("repo.oversizedFile");
    assertThat(json.at("/results/1/accepted").asBoolean()).isTrue();
    assertThat(run.err()).contains("no such file or directory");
  }

  @Test
  void oneEnvironmentFolderJudgesSharedStoresAgainstTheWholeRepository() throws Exception {
    // the shared store is development's only: validating production alone must not call it unused
    Path repo = temp.resolve("shared-use");
    new TestRepository(repo)
        .sharedStore("ca", "used-by-dev", TestCertificates.root("Dev Root").issue())
        .sharedStore("ca", "nobody-uses-it", TestCertificates.root("Spare Root").issue())
        .store("production", "ca", "prod-root", TestCertificates.root("Prod Root").issue())
        .policy("production", policy(statement("prod", "r.example/prod", "strict", "ca:prod-root")))
        .policy("development", policy(statement("dev", "r.example/dev", "audit", "ca:used-by-dev")));

    CommandRun production = CommandRun.of("validate", repo.resolve("environments/production").toString());
    assertThat(production.exitCode()).as(production.out()).isZero();
    assertThat(production.out()).contains("repo.unusedStore").contains("nobody-uses-it").doesNotContain("used-by-dev");
  }

  private static void copy(java.nio.file.Path from, java.nio.file.Path to) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(from)) {
      for (java.nio.file.Path source : files.toList()) {
        java.nio.file.Path target = to.resolve(from.relativize(source).toString());
        if (java.nio.file.Files.isDirectory(source)) {
          java.nio.file.Files.createDirectories(target);
        } else {
          java.nio.file.Files.copy(source, target);
        }
      }
    }
  }
}
