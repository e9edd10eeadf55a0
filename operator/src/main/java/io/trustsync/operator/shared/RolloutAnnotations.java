package io.trustsync.operator.shared;

/** The annotations a person (or `trustsync rollout`) sets on a TrustDistribution to steer its staged roll-out. */
public final class RolloutAnnotations {
  /** The revision (or a prefix of at least 7 hex digits) the approval stages may take. */
  public static final String APPROVED_REVISION = "trustsync.io/approved-revision";
  /** A roll-out halted before this time (RFC 3339) continues. */
  public static final String RESUMED_AT = "trustsync.io/rollout-resumed-at";

  /** "true": nothing new moves until removed (`trustsync rollout pause`, `resume`). */
  public static final String PAUSED = "trustsync.io/rollout-paused";
  /** The revision (or a prefix of at least 7 hex digits) whose roll-out is aborted: clusters that took it go back. */
  public static final String ABORTED_REVISION = "trustsync.io/rollout-aborted";

  private RolloutAnnotations() {}
}
