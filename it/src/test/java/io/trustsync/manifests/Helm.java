package io.trustsync.manifests;

import io.trustsync.local.LocalControlPlane;
import io.trustsync.testing.ProjectFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real Helm CLI (scripts/helm-cli.sh builds it from the Go module proxy), with its own home and a control plane's kubeconfig. */
final class Helm {
  static final Path CHART = ProjectFolder.root().resolve("charts/trustsync");

  private final Path binary;
  private final Path home;
  private final Path kubeconfig;

  private Helm(Path binary, Path home, Path kubeconfig) {
    this.binary = binary;
    this.home = home;
    this.kubeconfig = kubeconfig;
  }

  /** Helm for {@code plane} (null: no cluster, for lint and template), keeping its files under {@code home}. */
  static Helm forPlane(LocalControlPlane plane, Path home) {
    try {
      Files.createDirectories(home);
      Path kubeconfig = null;
      if (plane != null) {
        kubeconfig = home.resolve("kubeconfig");
        Files.writeString(kubeconfig, plane.kubeconfig());
      }
      return new Helm(locate(), home, kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What helm printed on stdout, and on stderr (its log lines, and the error when it fails). */
  record Result(int exitCode, String output, String errors) {}

  /** Runs helm; fails the test on a non-zero exit. */
  String run(String... args) {
    Result result = tryRun(args);
    if (result.exitCode() != 0) {
      throw new AssertionError("helm " + String.join(" ", args) + " exited " + result.exitCode() + ":\n" + result.output() + result.errors());
    }
    return result.output();
  }

  Result tryRun(String... args) {
    List<String> command = new ArrayList<>(List.of(binary.toString()));
    command.addAll(List.of(args));
    if (kubeconfig != null) {
      command.add("--kubeconfig=" + kubeconfig);
    }
    return exec(command, home);
  }

  /** The helm executable. */
  Path binary() {
    return binary;
  }

  private static Path locate() {
    Result built = exec(List.of("bash", ProjectFolder.root().resolve("scripts/helm-cli.sh").toString()), null);
    if (built.exitCode() != 0) {
      throw new AssertionError("scripts/helm-cli.sh failed:\n" + built.output() + built.errors());
    }
    List<String> lines = built.output().strip().lines().toList();
    return Path.of(lines.getLast());
  }

  static Result exec(List<String> command, Path home) {
    try {
      Path errors = Files.createTempFile("helm", ".err");
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
      if (home != null) {
        // Helm's caches, configuration and data stay in the test's folder.
        builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
        builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
      }
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(15, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish");
      }
      String stderr = Files.readString(errors, StandardCharsets.UTF_8);
      Files.deleteIfExists(errors);
      return new Result(process.exitValue(), output, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
