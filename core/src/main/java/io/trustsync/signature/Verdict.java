package io.trustsync.signature;

import java.util.List;

/**
 * Whether an artifact's signatures verify under a trust policy, as {@code notation verify} would
 * decide: passed when the applicable statement's level is "skip" or any signature passed every
 * enforced check.
 *
 * @param statement the name of the trust policy statement that applied, null when none did
 * @param level the verification level applied ("strict", "permissive", "audit", "skip" or
 *     "custom" with overrides), null when no statement applied
 * @param signatures the outcome of each signature examined
 * @param reason one line for a person: who signed and under which statement, or why not
 */
public record Verdict(boolean passed, String statement, String level, List<SignatureOutcome> signatures, String reason) {
  public Verdict {
    signatures = List.copyOf(signatures);
  }
}
