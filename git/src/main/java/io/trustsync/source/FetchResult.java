package io.trustsync.source;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The resolved commit and where its files are. {@code ref} is the full ref name that was
 * resolved ({@code refs/heads/main}, {@code refs/tags/v1.4.0}) or the commit id itself.
 * {@code snapshotRoot} is the source's {@code path} inside the snapshot; it stays until two newer
 * snapshots of the same source exist. {@code ancestry} relates the commit to the baseline the
 * fetch was asked to judge it against (the last accepted revision).
 */
public record FetchResult(
    String commitId,
    String ref,
    Instant commitTime,
    String author,
    String messageFirstLine,
    Path snapshotRoot,
    SignatureVerdict signature,
    Ancestry ancestry) {

  public enum Ancestry {
    /** No baseline was given. */
    NO_BASELINE,
    /** The commit is the baseline. */
    SAME,
    /** The baseline is in the commit's history. */
    DESCENDANT,
    /** The baseline is not in the commit's history: a force-push back, or another history. */
    NOT_DESCENDANT
  }
}
