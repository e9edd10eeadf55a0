package io.trustsync.operator.source;

import io.trustsync.source.FetchResult;
import io.trustsync.validation.ValidationReport;

/**
 * What one fetch of a PolicySource came to, computed on a fetch thread and turned into status on
 * the reconcile thread. {@code baseline} is the high-water mark the ancestry was judged against:
 * an acceptance judged against a mark that has moved since is not recorded. {@code restored} is the last accepted revision brought back into memory
 * after a restart (re-verified and re-validated) when the new one was not accepted;
 * {@code restoreProblem} says why it could not be.
 */
record SourceOutcome(
    long generation,
    String baseline,
    Kind kind,
    FetchResult fetched,
    String reason,
    String message,
    ValidationReport report,
    AcceptedRevision accepted,
    boolean rollback,
    AcceptedRevision restored,
    String restoreProblem) {

  enum Kind { ACCEPTED, UNCHANGED, REJECTED, FETCH_FAILED }

  static SourceOutcome accepted(long generation, String baseline, FetchResult fetched, ValidationReport report, AcceptedRevision revision,
      boolean rollback) {
    return new SourceOutcome(generation, baseline, Kind.ACCEPTED, fetched, "Accepted", null, report, revision, rollback, null, null);
  }

  static SourceOutcome unchanged(long generation, String baseline, FetchResult fetched) {
    return new SourceOutcome(generation, baseline, Kind.UNCHANGED, fetched, "Accepted", null, null, null, false, null, null);
  }

  static SourceOutcome rejected(long generation, String baseline, FetchResult fetched, String reason, String message, ValidationReport report) {
    return new SourceOutcome(generation, baseline, Kind.REJECTED, fetched, reason, message, report, null, false, null, null);
  }

  static SourceOutcome fetchFailed(long generation, String baseline, String message) {
    return new SourceOutcome(generation, baseline, Kind.FETCH_FAILED, null, "FetchFailed", message, null, null, false, null, null);
  }

  SourceOutcome withRestore(AcceptedRevision revision, String problem) {
    return new SourceOutcome(generation, baseline, kind, fetched, reason, message, report, accepted, rollback, revision, problem);
  }
}
