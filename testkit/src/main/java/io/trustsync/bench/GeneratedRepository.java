package io.trustsync.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Writes a large, valid policy repository for the benchmark: {@code shape.statements()} trust
 * policy statements spread evenly over the environments, each with its own registry scope, and
 * {@code shape.certificates()} self-signed root certificates spread over shared stores (a tenth of
 * them tsa stores), every store referenced, so validation accepts it and the whole pipeline runs.
 */
public final class GeneratedRepository {
  /** How big a repository to generate. */
  public record Shape(int statements, int certificates, int environments, int stores) {
    public Shape {
      if (statements < environments || environments < 1 || stores < 1 || certificates < stores) {
        throw new IllegalArgumentException(
            "need at least one environment, one statement per environment and one certificate per store");
      }
    }
  }

  /** What was written: the root and how many files a reader has to open. */
  public record Written(Path root, Shape shape, int files) {}

  private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();

  private GeneratedRepository() {}

  /** Certificates are valid from a day before {@code now} for ten years, so none is flagged. */
  public static Written write(Path root, Shape shape, Instant now) throws IOException {
    SecureRandom random = new SecureRandom();
    List<String> stores = new ArrayList<>();
    int files = 0;
    for (int s = 0; s < shape.stores(); s++) {
      String type = s % 10 == 9 ? "tsa" : "ca";
      String name = "store-" + s;
      stores.add(type + ":" + name);
      Path folder = Files.createDirectories(root.resolve("truststore/x509/" + type + "/" + name));
      int count = shape.certificates() / shape.stores() + (s < shape.certificates() % shape.stores() ? 1 : 0);
      for (int c = 0; c < count; c++) {
        Files.writeString(folder.resolve("root-" + c + ".pem"), rootCertificatePem("Bench Root " + s + "-" + c, now, random));
        files++;
      }
    }
    List<String> caStores = stores.stream().filter(s -> s.startsWith("ca:")).toList();
    List<String> tsaStores = stores.stream().filter(s -> s.startsWith("tsa:")).toList();
    int next = 0;
    for (int e = 0; e < shape.environments(); e++) {
      String environment = "env-" + e;
      int count = shape.statements() / shape.environments() + (e < shape.statements() % shape.environments() ? 1 : 0);
      List<String> statements = new ArrayList<>();
      for (int i = 0; i < count; i++, next++) {
        // Round-robin over the stores, so every store is referenced and none is reported unused.
        String ca = caStores.get(next % caStores.size());
        String tsa = tsaStores.isEmpty() ? null : tsaStores.get(next % tsaStores.size());
        statements.add(statement(environment, i, ca, tsa));
      }
      Path folder = Files.createDirectories(root.resolve("environments/" + environment));
      Files.writeString(folder.resolve("trustpolicy.json"),
          "{\n  \"version\": \"1.0\",\n  \"trustPolicies\": [\n" + String.join(",\n", statements) + "\n  ]\n}\n");
      files++;
    }
    return new Written(root, shape, files);
  }

  private static String statement(String environment, int index, String ca, String tsa) {
    String level = switch (index % 10) {
      case 8 -> "audit";
      case 9 -> "permissive";
      default -> "strict";
    };
    String stores = tsa == null ? "\"" + ca + "\"" : "\"" + ca + "\", \"" + tsa + "\"";
    return """
            {
              "name": "%1$s-app-%2$d",
              "registryScopes": ["registry.bench.example/%1$s/team-%3$d/app-%2$d", "mirror.bench.example/%1$s/app-%2$d"],
              "signatureVerification": {"level": "%4$s"},
              "trustStores": [%5$s],
              "trustedIdentities": ["x509.subject: C=US, ST=WA, L=Seattle, O=Acme, OU=Team %3$d, CN=Release Signing %2$d"]
            }""".formatted(environment, index, index % 37, level, stores);
  }

  /** A self-signed root CA as notation wants it: basicConstraints cA and keyCertSign, both critical. */
  private static String rootCertificatePem(String commonName, Instant now, SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", PROVIDER);
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair keys = generator.generateKeyPair();
      X500Name name = new X500Name("C=US, ST=WA, L=Seattle, O=Acme, CN=" + commonName);
      X509CertificateHolder certificate = new JcaX509v3CertificateBuilder(name, new BigInteger(64, random).add(BigInteger.ONE),
          Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), name, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(PROVIDER).build(keys.getPrivate()));
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate benchmark certificate " + commonName, e);
    }
  }
}
