package io.trustsync.operator.source;

import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.source.FetchResult;
import io.trustsync.source.GitFetcher;
import io.trustsync.source.GitRef;
import io.trustsync.source.GitSource;
import io.trustsync.source.SourceException;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.validation.ValidationReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Loads a revision that a PolicySource's status says was accepted, without trusting the status:
 * the commit comes from the local cache when it is there (no network at all) or is fetched by its
 * id, and it is served only if it passes what a new revision passes now (its signature against
 * the keys trusted now, its ancestry against the high-water mark, validation) and its files still
 * have the digest recorded when it was accepted. A restarted operator and a shard replica, which
 * never fetches branches, both load revisions this way.
 */
final class RevisionLoader {
  private final GitFetcher fetcher;
  private final Duration expiryWindow;

  RevisionLoader(GitFetcher fetcher, Duration expiryWindow) {
    this.fetcher = fetcher;
    this.expiryWindow = expiryWindow;
  }

  /** What status claims: the accepted commit and its digest, the high-water mark, a deliberate rollback, whether to verify. */
  record Expected(String revision, String digest, String highWaterMark, String rollbackTo, boolean verify) {}

  /** The revision brought back, or why it could not be. */
  record Loaded(AcceptedRevision revision, String problem) {}

  /** A validation report and the digest of the files it judged. */
  record Validated(ValidationReport report, String digest) {}

  Loaded load(String key, String cacheKey, GitSource git, Duration timeout, Expected expected) {
    String last = PolicySourceReconciler.shortRev(expected.revision());
    try {
      FetchResult loaded = fetcher.fetch(cacheKey, git.withRef(new GitRef.Commit(expected.revision())), timeout, expected.highWaterMark());
      if (expected.verify() && !loaded.signature().trusted()) {
        return new Loaded(null, "the last accepted revision " + last + " no longer verifies with the trusted keys ("
            + loaded.signature().reason() + "), so it is not served");
      }
      if (loaded.ancestry() == FetchResult.Ancestry.NOT_DESCENDANT && !loaded.commitId().equals(expected.rollbackTo())) {
        return new Loaded(null, "the last accepted revision " + last + " in status does not descend from the high-water mark "
            + PolicySourceReconciler.shortRev(expected.highWaterMark()) + ", so it is not served");
      }
      Validated validated = validate(loaded);
      if (!validated.report().accepted()) {
        return new Loaded(null, "the last accepted revision " + last + " no longer passes validation, so it is not served");
      }
      if (expected.digest() != null && !expected.digest().equals(validated.digest())) {
        return new Loaded(null, "the files of the last accepted revision " + last + " in the local cache have digest "
            + validated.digest() + ", not " + expected.digest() + " as recorded when it was accepted, so they are not served;"
            + " delete the cache folder to fetch them again");
      }
      return new Loaded(revision(key, loaded, validated), null);
    } catch (SourceException | IOException e) {
      return new Loaded(null, "could not restore the last accepted revision " + last + ": " + e.getMessage());
    }
  }

  /**
   * Loads the revisions accepted before the last one, as status records them, into
   * {@code accepted} (the current one must be there already). They are ancestors of the high-water
   * mark by nature, so ancestry allows them; signature, validation and digest are checked as for
   * the last one. A revision that fails is left out. Returns the problems, empty when none.
   */
  List<String> loadBefore(String key, String cacheKey, GitSource git, Duration timeout,
      List<io.trustsync.crd.policysource.PolicySourceStatus.AcceptedRevisionRecord> records, String highWaterMark, boolean verify,
      AcceptedRevisions accepted) {
    if (records == null || records.isEmpty() || !accepted.kept(key).isEmpty()) {
      return List.of();
    }
    List<AcceptedRevision> loaded = new java.util.ArrayList<>();
    List<String> problems = new java.util.ArrayList<>();
    for (var record : records.stream().limit(AcceptedRevisions.KEPT_BEFORE).toList()) {
      Loaded one = load(key, cacheKey, git, timeout, new Expected(record.revision, record.digest, highWaterMark, record.revision, verify));
      if (one.revision() != null) {
        loaded.add(one.revision());
      } else {
        problems.add(one.problem().replace("the last accepted revision", "the earlier accepted revision"));
      }
    }
    accepted.restoreBefore(key, loaded);
    return problems;
  }

  Validated validate(FetchResult fetched) throws IOException {
    ValidationOptions options = new ValidationOptions(Instant.now(), expiryWindow, RepositoryReader.DEFAULT_MAX_FILE_BYTES);
    PolicyRepository repository = RepositoryReader.read(fetched.snapshotRoot());
    return new Validated(RepositoryValidator.validate(repository, options), repository.digest());
  }

  static AcceptedRevision revision(String key, FetchResult fetched, Validated validated) {
    return new AcceptedRevision(key, fetched.commitId(), validated.digest(), fetched.commitTime(), Instant.now(),
        validated.report().environments());
  }
}
