package io.trustsync.signature;

/** The five validations of a trust policy's verification level (notation-go verifier/trustpolicy ValidationType). */
public enum Check {
  INTEGRITY("integrity"),
  AUTHENTICITY("authenticity"),
  AUTHENTIC_TIMESTAMP("authenticTimestamp"),
  EXPIRY("expiry"),
  REVOCATION("revocation");

  private final String spelling;

  Check(String spelling) {
    this.spelling = spelling;
  }

  /** As a trust policy's {@code override} spells it. */
  public String spelling() {
    return spelling;
  }
}
