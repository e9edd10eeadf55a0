package io.trustsync.validation;

import java.time.Duration;
import java.time.Instant;

/**
 * Everything validation depends on besides the files: the time it treats as "now" (passed in so
 * validation stays a pure function) and the thresholds.
 */
public record ValidationOptions(Instant now, Duration expiryWarningWindow, long maxFileBytes) {
  public static final Duration DEFAULT_EXPIRY_WINDOW = Duration.ofDays(30);

  public static ValidationOptions at(Instant now) {
    return new ValidationOptions(now, DEFAULT_EXPIRY_WINDOW, io.trustsync.repository.RepositoryReader.DEFAULT_MAX_FILE_BYTES);
  }
}
