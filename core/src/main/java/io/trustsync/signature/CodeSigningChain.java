package io.trustsync.signature;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The certificate requirements notation-core-go v1.3 checks on a signature's chain before trusting
 * anything in it (x509/codesigning_cert_validations.go {@code ValidateCodeSigningCertChain}, called
 * without a signing time by signature/internal/base): ordered leaf to root, each issued (name and
 * signature) by the next, ending with a self-signed root and with no other self-signed
 * certificate; a lone certificate must be self-signed. The leaf: not a CA, key usage present,
 * critical, digital signature and no encipherment, agreement or signing of certificates or CRLs;
 * no server, client, e-mail, time stamping or OCSP signing extended key usage; a supported key.
 * Each CA: basic constraints CA, a path length that allows the certificates below it, key usage
 * present, critical, with certificate signing. Validity periods are not checked here: the
 * authentic timestamp check does that.
 */
final class CodeSigningChain {
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final String[] LEAF_FORBIDDEN = {null, null, "KeyEncipherment", "DataEncipherment", "KeyAgreement", "CertSign", "CRLSign",
      "EncipherOnly", "DecipherOnly"};
  private static final List<String[]> EXCLUDED_EKUS = List.of(
      new String[] {"1.3.6.1.5.5.7.3.1", "ServerAuth"},
      new String[] {"1.3.6.1.5.5.7.3.2", "ClientAuth"},
      new String[] {"1.3.6.1.5.5.7.3.4", "EmailProtection"},
      new String[] {"1.3.6.1.5.5.7.3.8", "Timestamping"},
      new String[] {"1.3.6.1.5.5.7.3.9", "OCSPSigning"});
  private static final String KEY_USAGE = "2.5.29.15";
  // Signature algorithms crypto/x509 refuses: MD2/MD5 always, SHA-1 when checking an issuer's signature.
  private static final Set<String> INSECURE = Set.of("1.2.840.113549.1.1.2", "1.2.840.113549.1.1.4");
  private static final Set<String> SHA1 = Set.of("1.2.840.113549.1.1.5", "1.2.840.10040.4.3", "1.2.840.10045.4.1");

  private CodeSigningChain() {}

  /** Why notation refuses the chain, or null when it accepts it. */
  static String problem(List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      return "certificate chain must contain at least one certificate";
    }
    if (chain.size() == 1) {
      X509Certificate cert = chain.getFirst();
      String signature = signatureProblem(cert, cert, true);
      if (signature != null) {
        return "invalid self-signed certificate. subject: \"" + subject(cert) + "\". Error: " + signature;
      }
      if (!sameName(cert.getSubjectX500Principal(), cert.getIssuerX500Principal())) {
        return "invalid self-signed certificate. subject: \"" + subject(cert) + "\". Error: issuer(" + issuer(cert) + ") and subject("
            + subject(cert) + ") are not the same";
      }
      String leaf = leafProblem(cert);
      return leaf == null ? null : "invalid self-signed certificate. Error: " + leaf;
    }
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate cert = chain.get(i);
      if (i == chain.size() - 1) {
        String selfSigned = issuedByProblem(cert, cert);
        if (selfSigned != null) {
          return "root certificate with subject \"" + subject(cert) + "\" is invalid or not self-signed. Certificate chain must end with a valid"
              + " self-signed root certificate. Error: " + selfSigned;
        }
      } else {
        if (issuedByProblem(cert, cert) == null) {
          return (i == 0 ? "leaf" : "intermediate") + " certificate with subject \"" + subject(cert) + "\" is self-signed. Certificate chain"
              + " must not contain self-signed " + (i == 0 ? "leaf" : "intermediate") + " certificate";
        }
        X509Certificate parent = chain.get(i + 1);
        String issued = issuedByProblem(cert, parent);
        if (issued != null) {
          return "invalid certificates or certificate with subject \"" + subject(cert) + "\" is not issued by \"" + subject(parent)
              + "\". Error: " + issued;
        }
      }
      String problem = i == 0 ? leafProblem(cert) : caProblem(cert, i - 1);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  /** Go's isIssuedBy: CheckSignatureFrom(issuer) and the issuer's raw subject is the raw issuer. */
  private static String issuedByProblem(X509Certificate cert, X509Certificate issuer) {
    // CheckSignatureFrom: the issuer must be allowed to sign certificates.
    if ((issuer.getVersion() == 3 && issuer.getBasicConstraints() < 0 && !hasBasicConstraints(issuer))
        || (hasBasicConstraints(issuer) && issuer.getBasicConstraints() < 0)) {
      return "x509: invalid signature: parent certificate cannot sign this kind of certificate";
    }
    boolean[] usage = issuer.getKeyUsage();
    if (usage != null && anySet(usage) && !(usage.length > KEY_CERT_SIGN && usage[KEY_CERT_SIGN])) {
      return "x509: invalid signature: parent certificate cannot sign this kind of certificate";
    }
    String signature = signatureProblem(cert, issuer, false);
    if (signature != null) {
      return signature;
    }
    return sameName(issuer.getSubjectX500Principal(), cert.getIssuerX500Principal()) ? null
        : "issuer \"" + issuer(cert) + "\" is not the subject of \"" + subject(issuer) + "\"";
  }

  private static String signatureProblem(X509Certificate cert, X509Certificate issuer, boolean allowSha1) {
    String algorithm = cert.getSigAlgOID();
    if (INSECURE.contains(algorithm) || (!allowSha1 && SHA1.contains(algorithm))) {
      return "x509: cannot verify signature: insecure algorithm " + cert.getSigAlgName();
    }
    try {
      cert.verify(issuer.getPublicKey());
      return null;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return "x509: signature verification failed (" + e.getMessage() + ")";
    }
  }

  private static String leafProblem(X509Certificate cert) {
    if (cert.getBasicConstraints() >= 0) {
      return "certificate with subject \"" + subject(cert) + "\": if the basic constraints extension is present, the ca field must be set to false";
    }
    String present = keyUsagePresent(cert);
    if (present != null) {
      return present;
    }
    boolean[] usage = cert.getKeyUsage();
    if (usage == null || !usage[DIGITAL_SIGNATURE]) {
      return "the certificate with subject \"" + subject(cert) + "\" is invalid. The key usage must have the bit positions for \"Digital Signature\" set";
    }
    List<String> invalid = new ArrayList<>();
    for (int bit = 0; bit < LEAF_FORBIDDEN.length && bit < usage.length; bit++) {
      if (LEAF_FORBIDDEN[bit] != null && usage[bit]) {
        invalid.add("\"" + LEAF_FORBIDDEN[bit] + "\"");
      }
    }
    if (!invalid.isEmpty()) {
      return "the certificate with subject \"" + subject(cert) + "\" is invalid. The key usage must be \"Digital Signature\" only, but found "
          + String.join(", ", invalid);
    }
    try {
      List<String> ekus = cert.getExtendedKeyUsage();
      if (ekus != null) {
        for (String[] excluded : EXCLUDED_EKUS) {
          if (ekus.contains(excluded[0])) {
            return "certificate with subject \"" + subject(cert) + "\": extended key usage must not contain " + excluded[1] + " eku";
          }
        }
      }
    } catch (CertificateParsingException e) {
      return "certificate with subject \"" + subject(cert) + "\": unreadable extended key usage";
    }
    if (SignatureAlgorithm.ofKey(cert.getPublicKey()).isEmpty()) {
      return "certificate with subject \"" + subject(cert) + "\": " + SignatureAlgorithm.unsupportedKey(cert.getPublicKey());
    }
    return null;
  }

  private static String caProblem(X509Certificate cert, int expectedPathLength) {
    int pathLength = cert.getBasicConstraints();
    if (pathLength < 0) {
      return "certificate with subject \"" + subject(cert) + "\": ca field in basic constraints must be present, critical, and set to true";
    }
    if (pathLength != Integer.MAX_VALUE && pathLength < expectedPathLength) {
      return "certificate with subject \"" + subject(cert) + "\": expected path length of " + expectedPathLength + " but certificate has path length "
          + pathLength + " instead";
    }
    String present = keyUsagePresent(cert);
    if (present != null) {
      return present;
    }
    boolean[] usage = cert.getKeyUsage();
    if (usage == null || usage.length <= KEY_CERT_SIGN || !usage[KEY_CERT_SIGN]) {
      return "certificate with subject \"" + subject(cert) + "\": key usage must have the bit positions for key cert sign set";
    }
    return null;
  }

  private static String keyUsagePresent(X509Certificate cert) {
    if (cert.getCriticalExtensionOIDs() != null && cert.getCriticalExtensionOIDs().contains(KEY_USAGE)) {
      return null;
    }
    if (cert.getNonCriticalExtensionOIDs() != null && cert.getNonCriticalExtensionOIDs().contains(KEY_USAGE)) {
      return "certificate with subject \"" + subject(cert) + "\": key usage extension must be marked critical";
    }
    return "certificate with subject \"" + subject(cert) + "\": key usage extension must be present";
  }

  private static boolean hasBasicConstraints(X509Certificate cert) {
    return cert.getExtensionValue("2.5.29.19") != null;
  }

  private static boolean anySet(boolean[] bits) {
    for (boolean bit : bits) {
      if (bit) {
        return true;
      }
    }
    return false;
  }

  /** Go compares RawSubject and RawIssuer bytes; X500Principal keeps the encoding it was read from. */
  private static boolean sameName(X500Principal a, X500Principal b) {
    return Arrays.equals(a.getEncoded(), b.getEncoded());
  }

  static String subject(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
  }

  private static String issuer(X509Certificate cert) {
    return cert.getIssuerX500Principal().getName(X500Principal.RFC2253);
  }

  static String lowerHex(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      out.append(String.format(Locale.ROOT, "%02x", b & 0xff));
    }
    return out.toString();
  }
}
