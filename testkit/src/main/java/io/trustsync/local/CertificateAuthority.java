package io.trustsync.local;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for loopback servers: API servers trust client certificates
 * it signs (the user name is the CN, groups are O), and clients trust servers it signs.
 */
public final class CertificateAuthority {

  private static final Duration VALIDITY = Duration.ofDays(365);

  private final IssuedCertificate root;

  private CertificateAuthority(IssuedCertificate root) {
    this.root = root;
  }

  public static CertificateAuthority create(String name) {
    KeyPair keys = newKeyPair();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
    return new CertificateAuthority(
        new IssuedCertificate(
            sign(subject, keys, subject, keys, builder -> {
              builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
              builder.addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }),
            keys));
  }

  public X509Certificate certificate() {
    return root.certificate();
  }

  public String certificatePem() {
    return root.certificatePem();
  }

  /** A TLS server certificate valid for 127.0.0.1, ::1 and localhost. */
  public IssuedCertificate issueServer(String commonName) {
    KeyPair keys = newKeyPair();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    GeneralNames names =
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.iPAddress, "::1"),
              new GeneralName(GeneralName.dNSName, "localhost"),
            });
    return new IssuedCertificate(
        sign(subject, keys, name(), root.keys(), builder -> {
          builder.addExtension(Extension.subjectAlternativeName, false, names);
          builder.addExtension(
              Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        }),
        keys);
  }

  /** A client certificate as Kubernetes reads it: CN is the user, each O is a group. */
  public IssuedCertificate issueClient(String user, List<String> groups) {
    KeyPair keys = newKeyPair();
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    groups.forEach(group -> subject.addRDN(BCStyle.O, group));
    subject.addRDN(BCStyle.CN, user);
    return new IssuedCertificate(
        sign(subject.build(), keys, name(), root.keys(), builder ->
            builder.addExtension(
                Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))),
        keys);
  }

  /** An SSL context that trusts only this authority and, if given, presents a certificate. */
  public SSLContext sslContext(IssuedCertificate presented) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", root.certificate());
      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      KeyManagerFactory keyManagers = null;
      if (presented != null) {
        keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(presented.keyStore(root.certificate()), IssuedCertificate.KEY_STORE_PASSWORD);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          keyManagers == null ? null : keyManagers.getKeyManagers(),
          trustManagers.getTrustManagers(),
          new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build an SSL context", e);
    }
  }

  private X500Name name() {
    return X500Name.getInstance(root.certificate().getSubjectX500Principal().getEncoded());
  }

  @FunctionalInterface
  private interface Extensions {
    void add(X509v3CertificateBuilder builder) throws IOException;
  }

  private static X509Certificate sign(
      X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys, Extensions extensions) {
    try {
      // Back-date a little: a freshly started server must not see a "not yet valid" certificate.
      Instant now = Instant.now().minus(Duration.ofHours(1));
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              new BigInteger(64, new SecureRandom()),
              Date.from(now),
              Date.from(now.plus(VALIDITY)),
              subject,
              subjectKeys.getPublic());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKeys.getPublic()));
      builder.addExtension(
          Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
      extensions.add(builder);
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a certificate for " + subject, e);
    }
  }

  static KeyPair newKeyPair() {
    try {
      // RSA rather than EC: every client (kubectl, fabric8, git's curl) reads RSA PEM keys.
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** A certificate with its private key. */
  public record IssuedCertificate(X509Certificate certificate, KeyPair keys) {

    // Guards only an in-memory key store that never leaves this process.
    static final char[] KEY_STORE_PASSWORD = "in-memory".toCharArray();

    public String certificatePem() {
      try {
        return pem("CERTIFICATE", certificate.getEncoded());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** PKCS#8 ("BEGIN PRIVATE KEY"), which Go, curl and fabric8 all read. */
    public String privateKeyPem() {
      return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    KeyStore keyStore(X509Certificate issuer) throws GeneralSecurityException, IOException {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("key", keys.getPrivate(), KEY_STORE_PASSWORD, new X509Certificate[] {certificate, issuer});
      return store;
    }
  }
}
