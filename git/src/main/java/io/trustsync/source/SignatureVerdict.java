package io.trustsync.source;

/**
 * What commit signature verification found. {@code keyFingerprint} is the signing key's
 * (uppercase hex for PGP, {@code SHA256:...} for SSH), or null when unknown.
 */
public record SignatureVerdict(boolean signed, Type type, String keyFingerprint, boolean trusted, String reason) {

  public enum Type { PGP, SSH, X509, NONE }

  static SignatureVerdict unsigned() {
    return new SignatureVerdict(false, Type.NONE, null, false, "commit is not signed");
  }

  static SignatureVerdict rejected(Type type, String fingerprint, String reason) {
    return new SignatureVerdict(true, type, fingerprint, false, reason);
  }

  static SignatureVerdict accepted(Type type, String fingerprint, String reason) {
    return new SignatureVerdict(true, type, fingerprint, true, reason);
  }
}
