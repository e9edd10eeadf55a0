package io.trustsync.findings;

/** How bad a finding is: an error blocks the revision, a warning is reported and the revision still applies. */
public enum Severity {
  ERROR,
  WARNING;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
