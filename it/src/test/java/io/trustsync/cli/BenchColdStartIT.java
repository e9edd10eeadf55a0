package io.trustsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract of the cold-start benchmark, not its figures: the real notation CLI and the real launcher side by side, one JSON line. */
class BenchColdStartIT {
  @Test
  void coldStartRunsNotationAndTheLauncherSideBySide() throws Exception {
    CommandRun run = CommandRun.of("bench", "coldstart", "--statements", "40", "--rounds", "2");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(run.out());
    assertThat(result.get("statements").asInt()).isEqualTo(40);
    for (String command : List.of("notationPolicyImportMs", "trustsyncValidateFileMs", "trustsyncValidateExampleMs")) {
      assertThat(result.at("/" + command + "/median").asDouble()).as(command).isPositive();
      assertThat(result.at("/" + command + "/min").asDouble()).as(command).isLessThanOrEqualTo(result.at("/" + command + "/median").asDouble());
    }
    assertThat(result.get("ratioFileToNotation").asDouble()).isPositive();
  }
}
