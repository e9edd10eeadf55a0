package io.trustsync.findings;

import java.time.Duration;
import java.time.Instant;

/**
 * Everything validation depends on besides the files: the time it treats as "now" (passed in so
 * validation stays a pure function) and the thresholds.
 */
public record ValidationOptions(Instant now, Duration expiryWarningWindow, long maxFileBytes) {
  public static final Duration DEFAULT_EXPIRY_WINDOW = Duration.ofDays(30);
  /** The largest file the repository reader loads (trust policies, certificates). */
  public static final long DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

  public static ValidationOptions at(Instant now) {
    return new ValidationOptions(now, DEFAULT_EXPIRY_WINDOW, DEFAULT_MAX_FILE_BYTES);
  }
}
