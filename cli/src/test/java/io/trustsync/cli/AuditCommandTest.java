package io.trustsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
  static final Path EXAMPLE = Path.of("..", "policy-repo-example");

  @Test
  void credentialsAreNeverSentWithoutNamingTheOneRegistryTheyAreFor(@TempDir Path work) throws Exception {
    Path password = Files.writeString(work.resolve("password"), "s3cr3t");
    CommandRun run = CommandRun.of("audit", "--repo", EXAMPLE, "--env", "production", "--username", "ci", "--password-file", password,
        "acme.azurecr.io/storefront/web");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--credentials-for REGISTRY").doesNotContain("s3cr3t");
  }

  @Test
  void aBadReferenceOrFormatIsAUsageError() {
    CommandRun reference = CommandRun.of("audit", "--repo", EXAMPLE, "--env", "production", "library/nginx");
    assertThat(reference.exitCode()).isEqualTo(2);
    assertThat(reference.err()).contains("write the registry in full");
    CommandRun format = CommandRun.of("audit", "--repo", EXAMPLE, "--env", "production", "--format", "xml", "acme.azurecr.io/x");
    assertThat(format.exitCode()).isEqualTo(2);
    assertThat(format.err()).contains("choose text, json or sarif");
  }
}
