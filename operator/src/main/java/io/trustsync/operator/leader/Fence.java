package io.trustsync.operator.leader;

import java.time.Duration;

/**
 * Whether this replica may write right now. With leader election, only while it holds a lease it
 * renewed recently enough that no other replica can have taken over before a write started now
 * could finish; every write to a member is checked (see {@link WriteFence}) and bounded by
 * {@link #writeTimeout()}.
 */
public interface Fence {

  /** Throws when this replica must not write. */
  void check();

  /** How long one write may take: shorter than what is left of a lease at the last renewal that permits it. */
  Duration writeTimeout();

  /** No leader election: one replica, always allowed. */
  Fence NONE = new Fence() {
    @Override
    public void check() {}

    @Override
    public Duration writeTimeout() {
      return Duration.ofSeconds(10);
    }
  };

  /** A write refused because the lease is not (or no longer surely) held. */
  final class FencedException extends RuntimeException {
    public FencedException(String message) {
      super(message);
    }
  }
}
