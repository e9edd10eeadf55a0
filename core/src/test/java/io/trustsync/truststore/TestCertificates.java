package io.trustsync.truststore;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds certificates for tests, at test time, so no fixture ever expires: roots, intermediates,
 * signing leaves and self-signed signing certificates with the key, validity, extensions and
 * signature algorithm a test chooses. Defaults are what the Notary Project specification wants.
 */
public final class TestCertificates {
  /** The "now" every store test validates at. */
  public static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

  private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestCertificates() {}

  /** A certificate with the key that signed it, so it can issue others. */
  public record Issued(X509Certificate certificate, KeyPair keys, X500Name name) {
    public String pem() {
      try {
        return "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
            + "\n-----END CERTIFICATE-----\n";
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    public byte[] der() {
      try {
        return certificate.getEncoded();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public static X500Name subject(String commonName) {
    return new X500Name("C=US, ST=WA, L=Seattle, O=Acme, OU=Platform, CN=" + commonName);
  }

  /** Self-signed root CA: basicConstraints critical cA, keyUsage critical keyCertSign, cRLSign. */
  public static Builder root(String commonName) {
    return new Builder(commonName, null).ca(true, true).keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign, true);
  }

  public static Builder intermediate(String commonName, Issued issuer) {
    return new Builder(commonName, issuer).ca(true, true).keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign, true);
  }

  /** Code-signing leaf: no CA, keyUsage critical digitalSignature, EKU codeSigning. */
  public static Builder leaf(String commonName, Issued issuer) {
    return new Builder(commonName, issuer).ca(false, false).keyUsage(KeyUsage.digitalSignature, true)
        .extendedKeyUsage(KeyPurposeId.id_kp_codeSigning);
  }

  /** What notation's signingAuthority stores hold for a self-signed signer: a leaf that issued itself. */
  public static Builder selfSignedSigning(String commonName) {
    return leaf(commonName, null);
  }

  public static final class Builder {
    private final String commonName;
    private final Issued issuer;
    private KeyPair keys;
    private Instant notBefore = NOW.minus(Duration.ofDays(1));
    private Instant notAfter = NOW.plus(Duration.ofDays(3650));
    private Boolean ca;
    private boolean caCritical;
    private Integer keyUsage;
    private boolean keyUsageCritical;
    private final List<KeyPurposeId> extendedKeyUsages = new ArrayList<>();
    private String signatureAlgorithm;
    private X500Name subject;

    private Builder(String commonName, Issued issuer) {
      this.commonName = commonName;
      this.issuer = issuer;
    }

    public Builder rsa(int bits) {
      keys = generate("RSA", generator -> generator.initialize(bits, RANDOM));
      return this;
    }

    /** A named curve, e.g. secp256r1, secp384r1, secp224r1. */
    public Builder ec(String curve) {
      keys = generate("EC", generator -> generator.initialize(new ECGenParameterSpec(curve), RANDOM));
      return this;
    }

    public Builder validity(Instant from, Instant to) {
      notBefore = from;
      notAfter = to;
      return this;
    }

    /** {@code null} leaves the basicConstraints extension out. */
    public Builder ca(Boolean isCa, boolean critical) {
      ca = isCa;
      caCritical = critical;
      return this;
    }

    /** {@code null} leaves the keyUsage extension out; bits are BouncyCastle {@link KeyUsage} constants. */
    public Builder keyUsage(Integer bits, boolean critical) {
      keyUsage = bits;
      keyUsageCritical = critical;
      return this;
    }

    public Builder extendedKeyUsage(KeyPurposeId... purposes) {
      extendedKeyUsages.clear();
      extendedKeyUsages.addAll(List.of(purposes));
      return this;
    }

    /** A JCA name such as SHA1withRSA; by default SHA-256/SHA-384 to match the signer's key. */
    public Builder signatureAlgorithm(String name) {
      signatureAlgorithm = name;
      return this;
    }

    /** A subject of its own instead of the Acme default (RFC 4514 text, e.g. "C=US, ST=WA, O=SecureBuilder, CN=SecureBuilder"). */
    public Builder subjectName(String dn) {
      this.subject = new X500Name(dn);
      return this;
    }

    public Issued issue() {
      try {
        KeyPair own = keys != null ? keys : generate("EC", g -> g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM));
        X500Name name = subject != null ? subject : subject(commonName);
        KeyPair signer = issuer == null ? own : issuer.keys();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
            issuer == null ? name : issuer.name(), new BigInteger(64, RANDOM).add(BigInteger.ONE),
            Date.from(notBefore), Date.from(notAfter), name, own.getPublic());
        if (ca != null) {
          builder.addExtension(Extension.basicConstraints, caCritical, new BasicConstraints(ca));
        }
        if (keyUsage != null) {
          builder.addExtension(Extension.keyUsage, keyUsageCritical, new KeyUsage(keyUsage));
        }
        if (!extendedKeyUsages.isEmpty()) {
          builder.addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(extendedKeyUsages.toArray(KeyPurposeId[]::new)));
        }
        String algorithm = signatureAlgorithm != null ? signatureAlgorithm
            : signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
            builder.build(new JcaContentSignerBuilder(algorithm).setProvider(PROVIDER).build(signer.getPrivate())));
        return new Issued(certificate, own, name);
      } catch (Exception e) {
        throw new IllegalStateException("cannot build test certificate " + commonName, e);
      }
    }
  }

  private interface Initializer {
    void initialize(KeyPairGenerator generator) throws GeneralSecurityException;
  }

  private static KeyPair generate(String algorithm, Initializer initializer) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm, PROVIDER);
      initializer.initialize(generator);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
