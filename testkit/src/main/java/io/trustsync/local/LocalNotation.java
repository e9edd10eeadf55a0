package io.trustsync.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real notation CLI (scripts/notation-cli.sh builds v1.3.2 from the Go module proxy) with a
 * configuration directory of its own: test signing keys per team ({@code notation cert
 * generate-test}), signing in JWS or COSE, and {@code notation verify} for the verdict to compare
 * with. The registry's CA is trusted through SSL_CERT_FILE, as Go reads it.
 */
public final class LocalNotation {
  /** What one notation run printed and returned. */
  public record Run(int exitCode, String output) {}

  private final Path binary;
  private final Path home;
  private final Path caFile;

  public LocalNotation(Path binary, Path home, Path caFile) {
    this.binary = binary;
    this.home = home;
    this.caFile = caFile;
  }

  /** notation's configuration directory ($XDG_CONFIG_HOME/notation): keys, certificates, trust policy and stores. */
  public Path configDirectory() {
    return home.resolve("notation");
  }

  /** A self-signed test key and certificate named {@code name}; returns the certificate (PEM) file. */
  public Path generateTestKey(String name) {
    Run run = run(List.of("cert", "generate-test", name));
    if (run.exitCode() != 0) {
      throw new IllegalStateException("notation cert generate-test " + name + " failed:\n" + run.output());
    }
    return configDirectory().resolve("localkeys").resolve(name + ".crt");
  }

  /** Signs {@code reference} (registry/repo@digest) with key {@code key} in {@code format} (jws or cose). */
  public Run sign(String key, String format, String reference) {
    return run(List.of("sign", "--key", key, "--signature-format", format, reference));
  }

  /**
   * Signs as {@link #sign} does, but stores the signature as a referrer only, through the registry's
   * referrers API ({@code --force-referrers-tag=false}). notation v1.3.2 writes the {@code
   * sha256-<hex>} tag by default even where the registry has the API; with this it writes the tag
   * only where the registry does not answer the manifest push with an OCI-Subject header.
   */
  public Run signWithReferrersApi(String key, String format, String reference) {
    return run(List.of("sign", "--key", key, "--signature-format", format, "--force-referrers-tag=false", reference));
  }

  /** notation verify, with the trust policy and stores of {@code configDirectory} (an environment folder of a policy repository). */
  public Run verify(Path configDirectory, String reference) {
    return run(List.of("verify", reference), configDirectory);
  }

  public Run run(List<String> arguments) {
    return run(arguments, null);
  }

  private Run run(List<String> arguments, Path otherConfig) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    try {
      Path config = home;
      if (otherConfig != null) {
        // notation reads $XDG_CONFIG_HOME/notation: point a fresh home at the folder given
        config = Files.createTempDirectory(home, "verify");
        Files.createSymbolicLink(config.resolve("notation"), otherConfig.toAbsolutePath());
      }
      env.put("XDG_CONFIG_HOME", config.toString());
      env.put("HOME", home.toString());
      env.put("SSL_CERT_FILE", caFile.toString());
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("notation " + arguments + " did not finish in 120 s");
      }
      return new Run(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
