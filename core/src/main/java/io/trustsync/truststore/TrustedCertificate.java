package io.trustsync.truststore;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;

/**
 * One certificate of a trust store: the file it came from, its position in that file (0-based;
 * a PEM bundle holds several), and the facts rendering and metrics need.
 */
public record TrustedCertificate(
    String file,
    int index,
    X509Certificate certificate,
    String subject,
    String issuer,
    Instant notBefore,
    Instant notAfter,
    String sha256Fingerprint) {

  /** PEM with 64-character lines and '\n' endings, identical for identical DER. */
  public String pem() {
    try {
      String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded());
      return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("certificate parsed from " + file + " cannot be re-encoded", e);
    }
  }
}
