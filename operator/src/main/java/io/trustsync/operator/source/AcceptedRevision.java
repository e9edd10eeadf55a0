package io.trustsync.operator.source;

import io.trustsync.validation.AcceptedEnvironment;
import java.time.Instant;
import java.util.Map;

/**
 * A revision of a PolicySource that passed validation, held in memory for rendering.
 * {@code digest} is the digest of the validated snapshot's files, as the source's status records it.
 */
public record AcceptedRevision(String source, String revision, String digest, Instant commitTime, Instant acceptedAt,
    Map<String, AcceptedEnvironment> environments) {
  public AcceptedRevision {
    // sorted, as the validation report has them: Map.copyOf would reorder them in every JVM run
    environments = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(environments));
  }
}
