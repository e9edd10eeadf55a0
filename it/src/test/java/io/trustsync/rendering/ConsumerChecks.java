package io.trustsync.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.findings.Finding;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.testing.ProjectFolder;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestRepository;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.validation.ValidationReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the consumer tests share: the environments they render, and running a Go check that writes a JSON report. */
final class ConsumerChecks {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConsumerChecks() {}

  /** policy-repo-example's environments (validated now) and the awkward-names repository's, written under {@code temp}. */
  static List<AcceptedEnvironment> environments(Path temp) throws Exception {
    List<AcceptedEnvironment> environments = new ArrayList<>();
    ValidationReport example = RepositoryValidator.validate(RepositoryReader.read(ProjectFolder.root().resolve("policy-repo-example")),
        ValidationOptions.at(Instant.now()));
    environments.addAll(example.environments().values());
    environments.add(accept(TestRepository.awkwardNames(temp.resolve("awkward"))));
    return environments;
  }

  /** The only environment of a test repository, which must validate without error (at the certificates' NOW). */
  static AcceptedEnvironment accept(TestRepository repository) throws Exception {
    ValidationReport report = RepositoryValidator.validate(RepositoryReader.read(repository.root()), ValidationOptions.at(TestCertificates.NOW));
    assertThat(report.findings()).noneMatch(Finding::isError);
    return report.environments().values().iterator().next();
  }

  /** Runs {@code scripts/<script> <arguments...> <report>} and returns the JSON report; fails when the script does. */
  static JsonNode run(Path report, String script, String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", ProjectFolder.root().resolve("scripts").resolve(script).toString()));
    command.addAll(List.of(arguments));
    command.add(report.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).as(script + " finished").isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return JSON.readTree(report.toFile());
  }

  /** The strings of a JSON array; empty for a missing one. */
  static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> values.add(v.asText()));
    }
    return values;
  }
}
