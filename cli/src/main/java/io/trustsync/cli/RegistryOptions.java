package io.trustsync.cli;

import io.trustsync.registry.OciRegistryClient;
import io.trustsync.registry.RegistryCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How `audit` and `impact` reach registries: HTTPS (a private CA allowed), and credentials read from files, never from arguments. */
final class RegistryOptions {
  @Option(names = "--ca-file", paramLabel = "PEM", description = "CA certificates the registry's TLS certificate chains to (default: the JDK's).")
  Path caFile;

  @Option(names = "--credentials-for", paramLabel = "REGISTRY", description = "The one registry host (host[:port]) the credentials are"
      + " sent to; every other registry is read anonymously. Required with --username or --token-file.")
  String credentialsFor;

  @Option(names = "--username", paramLabel = "USER", description = "Registry user; the password is read from --password-file.")
  String username;

  @Option(names = "--password-file", paramLabel = "FILE", description = "File holding the registry password or token for --username.")
  Path passwordFile;

  @Option(names = "--token-file", paramLabel = "FILE", description = "File holding a bearer token for the registry.")
  Path tokenFile;

  @Option(names = "--max-signatures", defaultValue = "100", paramLabel = "N", description = "Signatures read per image (notation reads 100). Default: ${DEFAULT-VALUE}.")
  int maxSignatures;

  /** The references named, each parsed; one that is not a reference is a usage error naming what to write. */
  static java.util.List<io.trustsync.registry.ImageReference> references(CommandLine.Model.CommandSpec spec, java.util.List<String> names) {
    java.util.List<io.trustsync.registry.ImageReference> references = new java.util.ArrayList<>();
    for (String name : names) {
      try {
        references.add(io.trustsync.registry.ImageReference.parse(name));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    return references;
  }

  /**
   * A scanner for {@code target}'s registry: with the credentials only if it is the one
   * --credentials-for names. A policy that names another registry (a pull request may add one)
   * never gets them.
   */
  io.trustsync.registry.SignatureScanner scanner(CommandLine.Model.CommandSpec spec, io.trustsync.registry.ImageReference target)
      throws IOException {
    RegistryCredentials credentials = credentials(spec);
    if (credentials != RegistryCredentials.ANONYMOUS && credentialsFor == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--username and --token-file need --credentials-for REGISTRY: the"
          + " one registry they may be sent to");
    }
    boolean theirs = credentialsFor != null && credentialsFor.equals(target.registry());
    return new io.trustsync.registry.SignatureScanner(new OciRegistryClient(tls(spec), theirs ? credentials : RegistryCredentials.ANONYMOUS,
        false, OciRegistryClient.Limits.DEFAULT), maxSignatures);
  }

  private RegistryCredentials credentials(CommandLine.Model.CommandSpec spec) throws IOException {
    if (tokenFile != null) {
      return new RegistryCredentials.Bearer(Files.readString(tokenFile, StandardCharsets.UTF_8).strip());
    }
    if (username != null) {
      if (passwordFile == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--username needs --password-file");
      }
      return new RegistryCredentials.Basic(username, Files.readString(passwordFile, StandardCharsets.UTF_8).strip());
    }
    return RegistryCredentials.ANONYMOUS;
  }

  private SSLContext tls(CommandLine.Model.CommandSpec spec) throws IOException {
    if (caFile == null) {
      return null;
    }
    try {
      return io.trustsync.registry.PrivateCa.trusting(Files.readAllBytes(caFile), "--ca-file " + caFile);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
