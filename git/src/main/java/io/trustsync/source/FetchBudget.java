package io.trustsync.source;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The time and bytes one fetch may use. Per-read socket timeouts do not bound a server that sends
 * a byte every few seconds, so the whole fetch has a deadline: every read and connection checks
 * it, and when it passes the SSH sessions are closed and the fetching thread is interrupted
 * (which ends what JGit does between reads; a read already blocked on a socket ends at its own
 * short timeout, {@link #ioTimeoutSeconds()}, at the latest).
 */
final class FetchBudget implements AutoCloseable {
  private final Duration timeout;
  private final long deadlineNanos;
  private final long maxBytes;
  private final AtomicLong received = new AtomicLong();
  private final List<AutoCloseable> closeOnExpiry = new CopyOnWriteArrayList<>();
  private final Thread worker = Thread.currentThread();
  private final ScheduledFuture<?> alarm;
  private volatile boolean expired;
  private boolean closed;

  FetchBudget(Duration timeout, long maxBytes, ScheduledExecutorService timer) {
    this(timeout, timeout, maxBytes, timer);
  }

  /** {@code timeout} is the fetch's whole limit (for messages); {@code left} what remains of it now. */
  FetchBudget(Duration timeout, Duration left, long maxBytes, ScheduledExecutorService timer) {
    this.timeout = timeout;
    this.deadlineNanos = System.nanoTime() + left.toNanos();
    this.maxBytes = maxBytes;
    this.alarm = timer.schedule(this::expire, left.toMillis(), TimeUnit.MILLISECONDS);
  }

  Duration timeout() {
    return timeout;
  }

  boolean expired() {
    return expired || System.nanoTime() - deadlineNanos > 0;
  }

  boolean overBudget() {
    return received.get() > maxBytes;
  }

  long maxBytes() {
    return maxBytes;
  }

  /** What is left of the fetch's time, at least a millisecond. */
  Duration remaining() {
    return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
  }

  /** Seconds JGit may wait for one read or connect: short enough that a deadline check comes soon. */
  int ioTimeoutSeconds() {
    long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
    return (int) Math.max(1, Math.min(10, (leftMillis + 999) / 1000));
  }

  void onExpiry(AutoCloseable resource) {
    closeOnExpiry.add(resource);
  }

  /** Called for every chunk read from the server. */
  void received(long bytes) throws IOException {
    if (expired()) {
      throw new InterruptedIOException("fetch time limit reached");
    }
    if (received.addAndGet(bytes) > maxBytes) {
      throw new IOException("fetch size limit reached");
    }
  }

  private synchronized void expire() {
    if (closed) {
      return;
    }
    expired = true;
    for (AutoCloseable resource : closeOnExpiry) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing is best effort: the interrupt below still ends the fetch
      }
    }
    worker.interrupt();
  }

  @Override
  public synchronized void close() {
    closed = true;
    alarm.cancel(false);
    Thread.interrupted(); // an alarm that fired just as the fetch finished must not leak into the next task
  }
}
