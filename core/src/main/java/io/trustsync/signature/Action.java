package io.trustsync.signature;

/** What a verification level does with a failed check (notation-go ValidationAction). */
public enum Action {
  /** The failure fails the signature. */
  ENFORCE("enforce"),
  /** The failure is reported and the signature may still pass. */
  LOG("log"),
  /** The check is not performed. */
  SKIP("skip");

  private final String spelling;

  Action(String spelling) {
    this.spelling = spelling;
  }

  public String spelling() {
    return spelling;
  }
}
