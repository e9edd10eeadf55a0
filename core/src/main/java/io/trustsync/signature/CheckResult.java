package io.trustsync.signature;

/**
 * One validation of one signature: the action the level gives it and, when it failed, notation's
 * reason ({@code failure == null} when it passed). A failed check with {@link Action#LOG} does not
 * fail the signature.
 */
public record CheckResult(Check check, Action action, String failure) {
  public boolean failed() {
    return failure != null;
  }

  /** A failure that fails the signature (notation-go isCriticalFailure). */
  public boolean enforcedFailure() {
    return failure != null && action == Action.ENFORCE;
  }
}
