package io.trustsync.source;

/**
 * How much one checkout may write: files, bytes of one file, bytes in all. Enforced from the
 * object sizes Git records, before a byte of an oversized file is written, so a small pack that
 * inflates to gigabytes (a blob bomb) never reaches the disk. The defaults fit many sources in the
 * Deployment's 1 GiB cache emptyDir.
 */
public record CheckoutLimits(int maxFiles, long maxFileBytes, long maxTotalBytes) {
  public static final CheckoutLimits DEFAULT = new CheckoutLimits(10_000, 4 * 1024 * 1024, 64L * 1024 * 1024);

  public CheckoutLimits {
    if (maxFiles < 1 || maxFileBytes < 1 || maxTotalBytes < 1) {
      throw new IllegalArgumentException("checkout limits must be positive");
    }
  }
}
