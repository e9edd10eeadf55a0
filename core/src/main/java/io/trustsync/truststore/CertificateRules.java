package io.trustsync.truststore;

import io.trustsync.repository.StoreType;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import io.trustsync.findings.ValidationOptions;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The {@code store.*} rules that look at one certificate at a time. Which certificate profile of
 * the Notary Project signature specification ("Certificate Requirements") applies depends on what
 * the certificate is: a CA certificate must meet the root/intermediate CA requirements; a
 * self-signed non-CA certificate is a chain of one, so the spec's "Other requirements" make it
 * meet the leaf requirements.
 */
final class CertificateRules {
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String KEY_USAGE = "2.5.29.15";

  // java.security.cert.X509Certificate#getKeyUsage bit positions (RFC 5280 4.2.1.3).
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  /** Bits the spec forbids on a signing leaf; names as notation-core-go validateLeafKeyUsage prints them. */
  private static final Map<Integer, String> FORBIDDEN_LEAF_KEY_USAGES = Map.of(
      2, "keyEncipherment", 3, "dataEncipherment", 4, "keyAgreement", 5, "keyCertSign",
      6, "cRLSign", 7, "encipherOnly", 8, "decipherOnly");
  /**
   * EKUs a signing certificate must not carry: the spec's list (anyExtendedKeyUsage, serverAuth,
   * clientAuth, emailProtection, timeStamping) plus OCSPSigning, which notation-core-go
   * validateCodeSigningExtendedKeyUsage also rejects.
   */
  private static final Map<String, String> FORBIDDEN_SIGNING_EKUS = Map.of(
      "2.5.29.37.0", "anyExtendedKeyUsage",
      "1.3.6.1.5.5.7.3.1", "serverAuth",
      "1.3.6.1.5.5.7.3.2", "clientAuth",
      "1.3.6.1.5.5.7.3.4", "emailProtection",
      "1.3.6.1.5.5.7.3.8", "timeStamping",
      "1.3.6.1.5.5.7.3.9", "OCSPSigning");
  private static final Map<String, String> SHA1_OR_MD5_SIGNATURES = Map.of(
      "1.2.840.113549.1.1.2", "md2WithRSAEncryption",
      "1.2.840.113549.1.1.4", "md5WithRSAEncryption",
      "1.2.840.113549.1.1.5", "sha1WithRSAEncryption",
      "1.2.840.10040.4.3", "dsa-with-sha1",
      "1.2.840.10045.4.1", "ecdsa-with-SHA1");
  /** Go's Certificate.CheckSignature refuses these even on a self-signed certificate. */
  private static final Set<String> REJECTED_BY_GO_CHECK_SIGNATURE = Set.of("1.2.840.113549.1.1.2", "1.2.840.113549.1.1.4");
  private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";

  private final StoreType storeType;
  private final ValidationOptions options;

  CertificateRules(StoreType storeType, ValidationOptions options) {
    this.storeType = storeType;
    this.options = options;
  }

  List<Finding> check(StoredCertificate stored) {
    X509Certificate cert = stored.certificate().certificate();
    List<Finding> findings = new ArrayList<>();
    boolean fitsStore = storeType == StoreType.TSA ? checkTsaRoot(stored, findings) : checkCaOrSelfSigned(stored, findings);
    checkValidity(stored, findings);
    checkKeySize(stored, findings);
    checkSignatureAlgorithm(stored, findings);
    // A certificate notation refuses outright gets no advice on its extensions: it has to go anyway.
    if (fitsStore) {
      if (isCa(cert)) {
        checkCaProfile(stored, findings);
      } else {
        checkSelfSignedSigningProfile(stored, findings);
      }
    }
    return findings;
  }

  /**
   * store.notCaOrSelfSigned — notation-go verifier/truststore ValidateCertificates: every
   * certificate in a ca or signingAuthority store is a CA (basicConstraints cA, critical or not)
   * or verifies with its own public key; otherwise GetCertificates fails and the store is unusable.
   */
  private boolean checkCaOrSelfSigned(StoredCertificate stored, List<Finding> findings) {
    X509Certificate cert = stored.certificate().certificate();
    if (isCa(cert) || signedByOwnKey(cert)) {
      return true;
    }
    findings.add(stored.finding("store.notCaOrSelfSigned", Severity.ERROR,
        stored.describe() + " issued by " + stored.certificate().issuer()
            + " is neither a CA certificate nor self-signed, so notation refuses to load the whole "
            + storeType.spelling() + " store (\"not a CA certificate or self-signed signing certificate\"). "
            + "A signing (leaf) certificate never belongs in a trust store: put the root CA certificate of its chain here instead."));
    return false;
  }

  /**
   * store.tsaNotRoot — notation-go verifier/truststore isRootCACertificate: a tsa store holds only
   * root CA certificates, checked with Go's CheckSignatureFrom(itself) (a v3 certificate needs
   * basicConstraints cA=true; a keyUsage, when present, needs keyCertSign) and issuer == subject.
   * Anything else makes notation refuse the store. A SHA-1/MD5 self-signature, which
   * CheckSignatureFrom also rejects, is reported by store.sha1Signature instead.
   */
  private boolean checkTsaRoot(StoredCertificate stored, List<Finding> findings) {
    X509Certificate cert = stored.certificate().certificate();
    List<String> reasons = new ArrayList<>();
    boolean hasBasicConstraints = cert.getExtensionValue(BASIC_CONSTRAINTS) != null;
    if (!hasBasicConstraints && cert.getVersion() == 3) {
      reasons.add("it has no basicConstraints extension");
    } else if (hasBasicConstraints && !isCa(cert)) {
      reasons.add("its basicConstraints does not say cA=true");
    }
    boolean[] keyUsage = cert.getKeyUsage();
    if (keyUsage != null && !bit(keyUsage, KEY_CERT_SIGN)) {
      reasons.add("its keyUsage lacks keyCertSign");
    }
    if (!verifiesWith(cert, cert.getPublicKey())) {
      reasons.add("its signature does not verify with its own key (another CA issued it)");
    }
    if (!Arrays.equals(cert.getSubjectX500Principal().getEncoded(), cert.getIssuerX500Principal().getEncoded())) {
      reasons.add("its issuer (" + stored.certificate().issuer() + ") differs from its subject");
    }
    if (reasons.isEmpty()) {
      return true;
    }
    findings.add(stored.finding("store.tsaNotRoot", Severity.ERROR,
        stored.describe() + " is not a root CA certificate: " + String.join("; ", reasons)
            + ". notation requires tsa stores to hold only self-signed root CA certificates and refuses to load the store otherwise. "
            + "Replace it with the root CA certificate at the top of the timestamping authority's chain."));
    return false;
  }

  /**
   * store.expired / store.notYetValid / store.expiringSoon — warnings, not errors: notation loads
   * such certificates (GetCertificates never looks at validity), and with an authentic timestamp a
   * signature made while the chain was valid still verifies (signature specification, "Other
   * requirements"). What breaks is every signature without one, hence the early warning.
   */
  private void checkValidity(StoredCertificate stored, List<Finding> findings) {
    Instant now = options.now();
    Instant notBefore = stored.certificate().notBefore();
    Instant notAfter = stored.certificate().notAfter();
    if (notAfter.isBefore(now)) {
      findings.add(stored.finding("store.expired", Severity.WARNING,
          stored.describe() + " expired on " + date(notAfter) + " (" + Duration.between(notAfter, now).toDays() + " days ago). "
              + "notation still loads it and signatures timestamped while it was valid still verify, but every signature "
              + "without such a timestamp now fails; add the renewed certificate and remove this one once no artifact signed under it is deployed."));
    } else if (notBefore.isAfter(now)) {
      findings.add(stored.finding("store.notYetValid", Severity.WARNING,
          stored.describe() + " is not valid before " + date(notBefore) + " (in " + daysUntil(notBefore) + " days); "
              + "signatures chaining to it fail verification until then. Check the date it was issued with, or keep the previous certificate in the store until then."));
    } else if (notAfter.isBefore(now.plus(options.expiryWarningWindow()))) {
      findings.add(stored.finding("store.expiringSoon", Severity.WARNING,
          stored.describe() + " expires on " + date(notAfter) + ", in " + daysUntil(notAfter) + " days. "
              + "Add its renewed certificate to this store now, next to it, so artifacts signed under the new chain verify before this one expires."));
    }
  }

  /**
   * store.weakKey — error. The signature specification requires RSA keys of at least 2048 bits
   * and EC keys of at least 256 bits, and notation-core-go rejects a signing certificate below
   * that at verification. For CA certificates the spec is silent and notation would load them, but
   * a trust anchor with a breakable key lets whoever breaks it mint chains for any trusted
   * identity, so the gate refuses it rather than warn.
   */
  private void checkKeySize(StoredCertificate stored, List<Finding> findings) {
    KeySize key = keySize(stored.certificate().certificate());
    int minimum = switch (key.family()) {
      case "RSA" -> 2048;
      case "EC" -> 256;
      default -> 0;
    };
    if (key.bits() < minimum) {
      findings.add(stored.finding("store.weakKey", Severity.ERROR,
          stored.describe() + " has an " + key.family() + " " + key.bits() + "-bit key, below the Notary Project signature "
              + "specification's minimum of " + minimum + " bits. Ask the certificate's owner for one with an RSA 3072-bit "
              + "or EC P-384 key and replace it."));
    }
  }

  private record KeySize(String family, int bits) {}

  /**
   * RSA modulus or EC field size, read from the encoded key rather than the JDK key classes,
   * which have no implementation (and so no size) for curves the JDK dropped, such as P-224.
   */
  private static KeySize keySize(X509Certificate cert) {
    SubjectPublicKeyInfo info = publicKeyInfo(cert);
    ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
    try {
      if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
        return new KeySize("RSA", org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(info.parsePublicKey()).getModulus().bitLength());
      }
      if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)
          && info.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curve
          && ECNamedCurveTable.getByOID(curve) != null) {
        return new KeySize("EC", ECNamedCurveTable.getByOID(curve).getCurve().getFieldSize());
      }
    } catch (java.io.IOException | IllegalArgumentException e) {
      // Unreadable key: not this rule's business, the JDK already accepted the certificate.
    }
    return new KeySize(algorithm.getId(), 0);
  }

  private static SubjectPublicKeyInfo publicKeyInfo(X509Certificate cert) {
    return SubjectPublicKeyInfo.getInstance(cert.getPublicKey().getEncoded());
  }

  /**
   * store.sha1Signature — error. The signature specification forbids SHA-1 signatures on any
   * certificate of a chain, and Go's CheckSignatureFrom (which notation-core-go uses to link a chain
   * to its root) refuses SHA-1 and MD5, so such a root or intermediate can never complete a
   * verification; in a tsa store notation refuses to load it at all.
   */
  private void checkSignatureAlgorithm(StoredCertificate stored, List<Finding> findings) {
    String weak = weakSignatureAlgorithm(stored.certificate().certificate());
    if (weak != null) {
      findings.add(stored.finding("store.sha1Signature", Severity.ERROR,
          stored.describe() + " is signed with " + weak + ". The Notary Project signature specification forbids SHA-1 "
              + "(and notation's Go crypto rejects SHA-1 and MD5 when it links a chain to this certificate). "
              + "Replace it with a certificate re-issued with SHA-256 or stronger."));
    }
  }

  /**
   * store.basicConstraints / store.keyUsage for CA certificates — signature specification, "Root
   * and Intermediate CA Certificates": basicConstraints present, critical, cA=true; keyUsage
   * present, critical, keyCertSign. Warnings: notation-go loads the store regardless, although
   * notation-core-go ValidateCodeSigningCertChain rejects every chain through a CA certificate
   * whose keyUsage is missing, not critical, or lacks keyCertSign (it does not check that
   * basicConstraints is critical). store.keyUsage is therefore an error: such a root loads but
   * can never verify a signature, so every image it should admit would be refused.
   */
  private void checkCaProfile(StoredCertificate stored, List<Finding> findings) {
    X509Certificate cert = stored.certificate().certificate();
    if (!critical(cert, BASIC_CONSTRAINTS)) {
      findings.add(stored.finding("store.basicConstraints", Severity.WARNING,
          stored.describe() + " is a CA but its basicConstraints extension is not marked critical, as the Notary Project "
              + "signature specification requires for root and intermediate CA certificates (notation does not enforce this yet). "
              + "Ask its issuer to re-issue it with basicConstraints critical, CA:TRUE."));
    }
    boolean[] keyUsage = cert.getKeyUsage();
    String problem = null;
    if (keyUsage == null) {
      problem = "has no keyUsage extension";
    } else if (!critical(cert, KEY_USAGE)) {
      problem = "has a keyUsage extension that is not marked critical";
    } else if (!bit(keyUsage, KEY_CERT_SIGN) && storeType != StoreType.TSA) { // tsa: store.tsaNotRoot reports it
      problem = "has a keyUsage without keyCertSign";
    }
    if (problem != null) {
      findings.add(stored.finding("store.keyUsage", Severity.ERROR,
          stored.describe() + " is a CA but " + problem + "; the Notary Project signature specification requires keyUsage "
              + "critical with keyCertSign on CA certificates, and notation rejects signatures whose chain runs through it. "
              + "Ask its issuer to re-issue it with keyUsage critical, keyCertSign, cRLSign."));
    }
  }

  /**
   * store.keyUsage / store.extendedKeyUsage for a self-signed signing certificate (a chain of one)
   * — signature specification, "Leaf Certificates": keyUsage present, critical, digitalSignature
   * set and no other bit but nonRepudiation; extendedKeyUsage, when present, without
   * serverAuth, clientAuth, emailProtection, timeStamping or anyExtendedKeyUsage. Warnings:
   * notation-go loads the store, though notation-core-go rejects signatures made with such a
   * certificate.
   */
  private void checkSelfSignedSigningProfile(StoredCertificate stored, List<Finding> findings) {
    X509Certificate cert = stored.certificate().certificate();
    boolean[] keyUsage = cert.getKeyUsage();
    String problem = null;
    if (keyUsage == null) {
      problem = "has no keyUsage extension";
    } else if (!critical(cert, KEY_USAGE)) {
      problem = "has a keyUsage extension that is not marked critical";
    } else if (!bit(keyUsage, DIGITAL_SIGNATURE)) {
      problem = "has a keyUsage without digitalSignature";
    } else {
      List<String> forbidden = FORBIDDEN_LEAF_KEY_USAGES.entrySet().stream()
          .filter(e -> bit(keyUsage, e.getKey())).map(Map.Entry::getValue).sorted().toList();
      if (!forbidden.isEmpty()) {
        problem = "has keyUsage " + String.join(", ", forbidden) + ", which a signing certificate must not have";
      }
    }
    if (problem != null) {
      findings.add(stored.finding("store.keyUsage", Severity.ERROR,
          stored.describe() + " is a self-signed signing certificate (not a CA) but " + problem
              + "; the Notary Project signature specification requires keyUsage critical with digitalSignature only, "
              + "and notation rejects signatures made with it. Re-issue it with keyUsage critical, digitalSignature"
              + " (or, if it is meant to be a root CA, with basicConstraints critical, CA:TRUE and keyUsage critical, keyCertSign)."));
    }
    List<String> ekus;
    try {
      ekus = cert.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      ekus = List.of("2.5.29.37.0"); // unreadable EKU: Go would not parse the certificate at all
    }
    if (ekus != null) {
      List<String> forbidden = ekus.stream().filter(FORBIDDEN_SIGNING_EKUS::containsKey)
          .map(FORBIDDEN_SIGNING_EKUS::get).sorted().toList();
      if (!forbidden.isEmpty()) {
        findings.add(stored.finding("store.extendedKeyUsage", Severity.WARNING,
            stored.describe() + " is a self-signed signing certificate with extended key usage " + String.join(", ", forbidden)
                + "; the Notary Project signature specification allows only codeSigning (or no extendedKeyUsage) on a signing "
                + "certificate, and notation rejects signatures made with it. Re-issue it with extendedKeyUsage codeSigning."));
      }
    }
  }

  /** Go's Certificate.IsCA: basicConstraints present with cA=true, critical or not. */
  static boolean isCa(X509Certificate cert) {
    return cert.getBasicConstraints() >= 0;
  }

  /** Go's Certificate.CheckSignature against its own key, as ValidateCertificates calls it (MD2/MD5 refused). */
  static boolean signedByOwnKey(X509Certificate cert) {
    return !REJECTED_BY_GO_CHECK_SIGNATURE.contains(cert.getSigAlgOID()) && verifiesWith(cert, cert.getPublicKey());
  }

  private static boolean verifiesWith(X509Certificate cert, PublicKey key) {
    try {
      cert.verify(key);
      return true;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The name of a SHA-1 or MD5 signature algorithm, or null; RSASSA-PSS counts when its hash is SHA-1 (its default). */
  private static String weakSignatureAlgorithm(X509Certificate cert) {
    String oid = cert.getSigAlgOID();
    if (SHA1_OR_MD5_SIGNATURES.containsKey(oid)) {
      return SHA1_OR_MD5_SIGNATURES.get(oid);
    }
    if (RSASSA_PSS.equals(oid)) {
      byte[] params = cert.getSigAlgParams();
      ASN1ObjectIdentifier hash = params == null
          ? OIWObjectIdentifiers.idSHA1
          : RSASSAPSSparams.getInstance(params).getHashAlgorithm().getAlgorithm();
      if (OIWObjectIdentifiers.idSHA1.equals(hash)) {
        return "RSASSA-PSS with SHA-1";
      }
    }
    return null;
  }

  private static boolean critical(X509Certificate cert, String oid) {
    Set<String> critical = cert.getCriticalExtensionOIDs();
    return critical != null && critical.contains(oid);
  }

  private static boolean bit(boolean[] keyUsage, int position) {
    return keyUsage.length > position && keyUsage[position];
  }

  private long daysUntil(Instant instant) {
    return Duration.between(options.now(), instant).toDays();
  }

  private static String date(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }
}
