package io.trustsync.source;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The resolved commit and where its files are. {@code ref} is the full ref name that was
 * resolved ({@code refs/heads/main}, {@code refs/tags/v1.4.0}) or the commit id itself.
 * {@code snapshotRoot} is the source's {@code path} inside the snapshot; it stays until two newer
 * snapshots of the same source exist.
 */
public record FetchResult(
    String commitId,
    String ref,
    Instant commitTime,
    String author,
    String messageFirstLine,
    Path snapshotRoot,
    SignatureVerdict signature) {}
