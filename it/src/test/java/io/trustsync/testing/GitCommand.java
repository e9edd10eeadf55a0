package io.trustsync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The outcome of running the system's {@code git} (or any program), output merged. */
record GitCommand(List<String> command, int exitCode, String output) {

  static GitCommand run(Path directory, String... command) throws IOException, InterruptedException {
    return run(directory, Map.of(), command);
  }

  static GitCommand run(Path directory, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    builder.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
    builder.environment().remove("GIT_SSL_CAINFO"); // it would override the test's http.sslCAInfo
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    return new GitCommand(List.of(command), process.exitValue(), output);
  }

  GitCommand assertSucceeded() {
    assertThat(exitCode).as("%s exited with %d:%n%s", command, exitCode, output).isZero();
    return this;
  }
}
