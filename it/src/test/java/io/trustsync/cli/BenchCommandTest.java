package io.trustsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's numbers are not asserted (timings on shared machines are noise); its contract is. */
class BenchCommandTest {
  @TempDir Path temp;

  @Test
  void theDevelopmentEntryPointAddsDemoAndBench() {
    CommandRun root = CommandRun.of("--help");
    assertThat(root.out()).contains("validate").contains("demo").contains("bench");
    for (String command : List.of("demo", "bench")) {
      CommandRun run = CommandRun.of(command, "--help");
      assertThat(run.exitCode()).as(command).isZero();
      assertThat(run.out()).as(command).contains("Usage: trustsync " + command + " ");
    }
    assertThat(CommandRun.of("bench", "--help").out()).contains("Examples:");
  }

  @Test
  void generatesAValidRepositoryAndPrintsOneJsonLineOfResults() throws Exception {
    Path repository = temp.resolve("bench-repo");

    CommandRun run = CommandRun.of("bench", "validate", "--statements", "41", "--certificates", "23", "--stores", "10",
        "--environments", "3", "--warmup", "1", "--iterations", "2", "--repository", repository);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines()).hasSize(1);
    JsonNode result = new ObjectMapper().readTree(run.out());
    assertThat(result.get("statements").asInt()).isEqualTo(41);
    assertThat(result.get("certificates").asInt()).isEqualTo(23);
    assertThat(result.get("files").asInt()).isEqualTo(23 + 3);
    // Every statement and store is valid and used, so the whole pipeline, rendering included, runs.
    assertThat(result.get("errors").asInt()).isZero();
    assertThat(result.get("warnings").asInt()).isZero();
    assertThat(result.get("renderedYamlBytes").asLong()).isPositive();
    for (String field : new String[] {"warmupIterations", "iterations", "p50Ms", "minMs", "maxMs", "withRenderP50Ms", "heapUsedMb"}) {
      assertThat(result.has(field)).as(field).isTrue();
    }
    assertThat(result.get("minMs").asDouble()).isLessThanOrEqualTo(result.get("p50Ms").asDouble());
    assertThat(Files.isDirectory(repository.resolve("environments/env-2"))).isTrue();
    assertThat(CommandRun.of("validate", repository).exitCode()).isZero();
  }
}
