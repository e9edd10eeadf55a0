package io.trustsync.source;

import io.trustsync.findings.Finding;

/**
 * A fetch failed; the message says what to change, so it can go straight into a status condition.
 * Messages never quote what a server sent back (besides Git's own protocol errors) or the
 * content of a Secret. When the commit was fetched but its checkout broke a limit,
 * {@link #rejectedCommit()} names it and {@link #finding()} says why: that revision is rejected
 * like an invalid one.
 */
public final class SourceException extends Exception {

  /** One answer for every way of not reaching a Git repository, so errors are no port scanner. */
  public static final String UNREACHABLE = "no Git repository could be fetched from %s: the host is unknown or"
      + " unreachable, the port is closed or filtered, or no Git server answers there; check the URL and the network";

  private final String rejectedCommit;
  private final Finding finding;

  public SourceException(String message) {
    this(message, (Throwable) null);
  }

  public SourceException(String message, Throwable cause) {
    super(message, cause);
    this.rejectedCommit = null;
    this.finding = null;
  }

  SourceException(String commit, Finding finding) {
    super("commit " + commit.substring(0, 12) + " rejected: " + finding.place() + " " + finding.ruleId() + ": " + finding.message());
    this.rejectedCommit = commit;
    this.finding = finding;
  }

  public String rejectedCommit() {
    return rejectedCommit;
  }

  public Finding finding() {
    return finding;
  }
}
