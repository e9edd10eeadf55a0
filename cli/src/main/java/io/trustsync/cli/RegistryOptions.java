package io.trustsync.cli;

import io.trustsync.registry.OciRegistryClient;
import io.trustsync.registry.RegistryCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How `audit` and `impact` reach registries: HTTPS (a private CA allowed), and credentials read from files, never from arguments. */
final class RegistryOptions {
  @Option(names = "--ca-file", paramLabel = "PEM", description = "CA certificates the registry's TLS certificate chains to (default: the JDK's).")
  Path caFile;

  @Option(names = "--username", paramLabel = "USER", description = "Registry user; the password is read from --password-file.")
  String username;

  @Option(names = "--password-file", paramLabel = "FILE", description = "File holding the registry password or token for --username.")
  Path passwordFile;

  @Option(names = "--token-file", paramLabel = "FILE", description = "File holding a bearer token for the registry.")
  Path tokenFile;

  @Option(names = "--max-signatures", defaultValue = "50", paramLabel = "N", description = "Signatures read per image. Default: ${DEFAULT-VALUE}.")
  int maxSignatures;

  OciRegistryClient client(CommandLine.Model.CommandSpec spec) throws IOException, GeneralSecurityException {
    return new OciRegistryClient(tls(spec), credentials(spec), false, OciRegistryClient.Limits.DEFAULT);
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

  private SSLContext tls(CommandLine.Model.CommandSpec spec) throws IOException, GeneralSecurityException {
    if (caFile == null) {
      return null;
    }
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    try (var in = Files.newInputStream(caFile)) {
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, (X509Certificate) certificate);
      }
    }
    if (i == 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--ca-file " + caFile + " holds no PEM certificate");
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
