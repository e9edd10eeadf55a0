package io.trustsync.signature;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What verification found for one signature of the artifact, in the order the signatures were
 * given. The signer fields are what the envelope claims (trust them only when {@code passed}); null
 * when the envelope could not be read.
 *
 * @param index position in the list of signatures given (0-based)
 * @param format "jws" or "cose" (null for an unknown media type)
 * @param signer the leaf certificate's subject (RFC 2253), who signed
 * @param issuer the leaf certificate's issuer (RFC 2253)
 * @param rootFingerprint SHA-256 of the last certificate of the chain (lower-case hex), the
 *     root a {@code ca} store has to trust
 * @param checks each check performed, in notation's order; a check not reached is absent
 * @param passed whether the signature passed every enforced check
 * @param reason why it failed (the first enforced failure), null when it passed
 */
public record SignatureOutcome(
    int index,
    String format,
    String signer,
    String issuer,
    String rootFingerprint,
    String signingScheme,
    Instant signingTime,
    Instant expiry,
    List<CheckResult> checks,
    boolean passed,
    String reason) {
  public SignatureOutcome {
    checks = List.copyOf(checks);
  }

  /** The result of {@code check}, when it was performed. */
  public Optional<CheckResult> check(Check check) {
    return checks.stream().filter(c -> c.check() == check).findFirst();
  }

  /** The checks that failed, enforced or logged. */
  public List<CheckResult> failures() {
    return checks.stream().filter(CheckResult::failed).toList();
  }
}
