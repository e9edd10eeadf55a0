package io.trustsync.operator.source;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceStatus;
import io.trustsync.status.Conditions;
import io.trustsync.operator.shared.EventRecorder;
import io.trustsync.operator.shared.GoDuration;
import io.trustsync.operator.shared.SecretCache;
import io.trustsync.operator.SpecOrRequestFilter;
import io.trustsync.operator.shared.ReconcileRequest;
import io.trustsync.operator.shared.TrustSyncMetrics;
import io.trustsync.source.FetchResult;
import io.trustsync.source.GitFetcher;
import io.trustsync.source.GitSource;
import io.trustsync.source.SourceException;
import io.trustsync.findings.Finding;
import io.trustsync.validation.ValidationReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch, verify, check ancestry, validate, accept: a PolicySource's reconcile is the gate between
 * Git and the clusters. A revision that fails signature verification, does not descend from the
 * last accepted one, or fails validation is reported and never accepted; the last accepted
 * revision keeps being served.
 *
 * <p>The fetch and validation run on the {@link FetchQueue}, never on a reconcile thread: a
 * reconcile hands the work over and returns, and the fetch's completion triggers the reconcile
 * that writes its outcome to status.
 */
@ControllerConfiguration(name = "policysource", generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrRequestFilter.class))
public final class PolicySourceReconciler implements Reconciler<PolicySource>, Cleaner<PolicySource> {
  private static final Logger LOG = LoggerFactory.getLogger(PolicySourceReconciler.class);
  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  private static final int MAX_FINDINGS_IN_STATUS = 100;
  static final String STALE = "Stale";
  static final String ROLLED_BACK = "RolledBack";

  private final SecretCache secrets;
  private final GitFetcher fetcher;
  private final FetchQueue queue;
  private final AcceptedRevisions accepted;
  private final TrustSyncMetrics metrics;
  private final EventRecorder events;
  private final RevisionLoader loader;
  /** New for every start of the reconcilers: an event source belongs to one controller run. */
  private volatile SimpleInboundEventSource<PolicySource> triggers = new SimpleInboundEventSource<>("policysource-triggers");
  /** Outcomes not yet recorded, by cache key (namespace/name/uid): a re-created source never sees its predecessor's. */
  private final Map<String, SourceOutcome> outcomes = new ConcurrentHashMap<>();
  /** The reconcile request each queued fetch answers: written to status once that fetch is judged. */
  private final Map<String, String> queuedRequests = new ConcurrentHashMap<>();
  /** The high-water mark of every source, as last recorded here: what a fetch is judged against when it runs. */
  private final Map<String, String> marks = new ConcurrentHashMap<>();

  public PolicySourceReconciler(SecretCache secrets, GitFetcher fetcher, FetchQueue.Settings fetching, AcceptedRevisions accepted,
      TrustSyncMetrics metrics, EventRecorder events, Duration expiryWindow) {
    this.secrets = secrets;
    this.fetcher = fetcher;
    this.accepted = accepted;
    this.metrics = metrics;
    this.events = events;
    this.loader = new RevisionLoader(fetcher, expiryWindow);
    this.queue = fetching.queue(key -> {
      int slash = key.indexOf('/');
      triggers.propagateEvent(new ResourceID(key.substring(slash + 1), key.substring(0, slash)));
    });
  }

  /** Fetch now (a verified webhook arrived). */
  public void trigger(String namespace, String name) {
    triggers.propagateEvent(new ResourceID(name, namespace));
  }

  @Override
  public List<EventSource<?, PolicySource>> prepareEventSources(EventSourceContext<PolicySource> context) {
    triggers = new SimpleInboundEventSource<>("policysource-triggers");
    return List.of(triggers);
  }

  @Override
  public UpdateControl<PolicySource> reconcile(PolicySource source, Context<PolicySource> context) {
    Instant started = Instant.now();
    try {
      return reconcileSource(source);
    } finally {
      metrics.reconcile("policysource", Duration.between(started, Instant.now()));
    }
  }

  private UpdateControl<PolicySource> reconcileSource(PolicySource source) {
    String key = key(source);
    long generation = source.getMetadata().getGeneration() == null ? 0 : source.getMetadata().getGeneration();
    PolicySourceStatus previous = source.getStatus() != null ? source.getStatus() : new PolicySourceStatus();
    PolicySourceStatus status = copy(previous);
    status.observedGeneration = source.getMetadata().getGeneration();
    Duration interval;
    Duration timeout;
    try {
      Duration asked = GoDuration.parse(source.getSpec() == null ? null : source.getSpec().interval, DEFAULT_INTERVAL);
      interval = asked.compareTo(fetcher.rules().minInterval()) < 0 ? fetcher.rules().minInterval() : asked;
      timeout = GoDuration.parse(source.getSpec() == null ? null : source.getSpec().timeout, fetcher.rules().defaultTimeout());
      GoDuration.parse(source.getSpec() == null ? null : source.getSpec().maxRevisionAge, Duration.ZERO);
    } catch (IllegalArgumentException e) {
      return finish(source, previous, stalled(status, source, "InvalidSpec", e.getMessage()), DEFAULT_INTERVAL);
    }
    String cacheKey = cacheKey(source);
    if (source.getSpec() != null && Boolean.TRUE.equals(source.getSpec().suspend)) {
      outcomes.remove(cacheKey);
      status.lastHandledReconcileAt = ReconcileRequest.of(source); // nothing to fetch: handled
      status.conditions = build(source, status, conditions(source, previous, status)
          .set(Conditions.READY, accepted.get(key).isPresent(), "Suspended", "fetching is suspended" + servingNote(key))
          .set(Conditions.RECONCILING, false, "Suspended", "")
          .set(Conditions.STALLED, false, "Suspended", ""));
      return finish(source, previous, status, null);
    }
    SourceOutcome outcome = outcomes.remove(cacheKey);
    if (outcome != null && outcome.generation() == generation) {
      String mark = marks.getOrDefault(cacheKey, baseline(previous));
      if (outcome.kind() != SourceOutcome.Kind.ACCEPTED || Objects.equals(outcome.baseline(), mark)) {
        record(source, previous, status, outcome);
        String handled = queuedRequests.remove(cacheKey);
        if (handled != null) {
          status.lastHandledReconcileAt = handled;
        }
        return finish(source, previous, status, interval);
      }
      // judged against a mark that moved meanwhile (another fetch was accepted): judge again
      LOG.info("{}: fetch judged against {} while the high-water mark is {}; fetching again", key, shortRev(outcome.baseline()), shortRev(mark));
    }
    GitSource git;
    try {
      git = SourceCredentials.describe(source, secrets);
    } catch (SourceCredentials.InvalidSourceException e) {
      return finish(source, previous, stalled(status, source, "InvalidSpec", e.getMessage()), interval);
    }
    try {
      fetcher.rules().checkScheme(git);
    } catch (SourceException e) {
      // retrying cannot help: only the spec (or the operator's flags) can change this
      return finish(source, previous, stalled(status, source, "SourceRefused", e.getMessage()), interval);
    }
    Inputs inputs = new Inputs(key, cacheKey, generation, git, timeout, baseline(previous),
        source.getSpec().rollbackTo, previous.lastAcceptedRevision, previous.lastAcceptedDigest, previous.previousAcceptedRevisions,
        accepted.get(key).isPresent(), source.getSpec().verify != null);
    String request = ReconcileRequest.of(source);
    if (request != null && !request.equals(previous.lastHandledReconcileAt)) {
      queuedRequests.put(cacheKey, request); // handled once the fetch queued now has been judged
    }
    queue.submit(source.getMetadata().getNamespace(), key, () -> outcomes.put(cacheKey, evaluate(inputs)));
    if (previous.conditions == null || previous.conditions.isEmpty()) {
      status.conditions = build(source, status, conditions(source, previous, status)
          .set(Conditions.READY, false, "Fetching", "first fetch of " + git.displayUrl() + " is under way")
          .set(Conditions.RECONCILING, true, "Fetching", "")
          .set(Conditions.STALLED, false, "Fetching", ""));
    }
    // the fetch's completion triggers the next reconcile; this is only the safety net
    Duration bounded = timeout.compareTo(fetcher.rules().maxTimeout()) > 0 ? fetcher.rules().maxTimeout() : timeout;
    return finish(source, previous, status, bounded.plusSeconds(30));
  }

  /** What a fetch needs, taken from the PolicySource when it was queued. */
  private record Inputs(String key, String cacheKey, long generation, GitSource git, Duration timeout, String baseline,
      String rollbackTo, String lastAccepted, String lastDigest, List<PolicySourceStatus.AcceptedRevisionRecord> acceptedBefore,
      boolean inMemory, boolean verify) {
    Inputs withBaseline(String mark) {
      return new Inputs(key, cacheKey, generation, git, timeout, mark, rollbackTo, lastAccepted, lastDigest, acceptedBefore, inMemory, verify);
    }
  }

  /**
   * Runs on a fetch thread. After a restart (nothing in memory, a revision accepted in status) the
   * accepted revision is first brought back from the local cache, without contacting Git, so the
   * clusters keep being served while Git is down; then the ref is fetched, verified, checked for
   * ancestry and validated.
   */
  private SourceOutcome evaluate(Inputs queued) {
    // the mark as it is now, not as it was when this fetch was queued
    Inputs in = queued.withBaseline(marks.getOrDefault(queued.cacheKey(), queued.baseline()));
    RevisionLoader.Loaded restore = null;
    if (!in.inMemory() && in.lastAccepted() != null && accepted.get(in.key()).isEmpty()) {
      restore = restore(in);
      if (restore.revision() != null) {
        // served at once: distributions need not wait for Git
        accepted.accept(restore.revision());
        // and those before it, which a staged roll-out's later stages run and a rollback returns to
        loader.loadBefore(in.key(), in.cacheKey(), in.git(), in.timeout(), in.acceptedBefore(), in.baseline(), in.verify(), accepted)
            .forEach(problem -> LOG.warn("{}: {}", in.key(), problem));
      }
    }
    SourceOutcome outcome = fetchAndJudge(in, restore != null && restore.revision() != null);
    return restore == null ? outcome : outcome.withRestore(restore.revision(), restore.problem());
  }

  private SourceOutcome fetchAndJudge(Inputs in, boolean restored) {
    Instant start = Instant.now();
    FetchResult fetched;
    try {
      fetched = fetcher.fetch(in.cacheKey(), in.git(), in.timeout(), in.baseline());
      metrics.fetch(in.key(), Duration.between(start, Instant.now()), false);
    } catch (SourceException e) {
      metrics.fetch(in.key(), Duration.between(start, Instant.now()), true);
      return e.rejectedCommit() != null
          ? SourceOutcome.rejected(in.generation(), in.baseline(), null, "ValidationFailed", e.getMessage(),
              new ValidationReport(List.of(e.finding()), Map.of()))
          : SourceOutcome.fetchFailed(in.generation(), in.baseline(), e.getMessage());
    }
    if (in.verify() && !fetched.signature().trusted()) {
      return SourceOutcome.rejected(in.generation(), in.baseline(), fetched, "VerificationFailed",
          "commit " + shortRev(fetched.commitId()) + " rejected: " + fetched.signature().reason(), null);
    }
    boolean rollback = false;
    if (fetched.ancestry() == FetchResult.Ancestry.NOT_DESCENDANT) {
      if (!fetched.commitId().equals(in.rollbackTo())) {
        return SourceOutcome.rejected(in.generation(), in.baseline(), fetched, "RevisionNotDescendant",
            "commit " + shortRev(fetched.commitId()) + " rejected: it does not descend from " + shortRev(in.baseline())
                + ", the last accepted revision, so the ref was moved back or rewritten (a rollback or a replayed mirror)."
                + " To roll back deliberately, set spec.rollbackTo: " + fetched.commitId(), null);
      }
      rollback = true;
    }
    if (fetched.commitId().equals(in.lastAccepted()) && (in.inMemory() || restored)) {
      return SourceOutcome.unchanged(in.generation(), in.baseline(), fetched);
    }
    RevisionLoader.Validated validated;
    try {
      validated = loader.validate(fetched);
    } catch (IOException e) {
      return SourceOutcome.rejected(in.generation(), in.baseline(), fetched, "ValidationFailed",
          "cannot read the policy repository at '" + (in.git().path().isEmpty() ? "/" : in.git().path()) + "' of commit "
              + shortRev(fetched.commitId()) + ": " + e.getClass().getSimpleName(), null);
    }
    ValidationReport report = validated.report();
    if (!report.accepted()) {
      Finding first = report.findings().stream().filter(Finding::isError).findFirst().orElseThrow();
      return SourceOutcome.rejected(in.generation(), in.baseline(), fetched, "ValidationFailed",
          "commit " + shortRev(fetched.commitId()) + " rejected: " + report.errors() + " error(s); first: "
              + first.place() + " " + first.ruleId() + ": " + first.message(), report);
    }
    return SourceOutcome.accepted(in.generation(), in.baseline(), fetched, report, RevisionLoader.revision(in.key(), fetched, validated), rollback);
  }

  private RevisionLoader.Loaded restore(Inputs in) {
    return loader.load(in.key(), in.cacheKey(), in.git(), in.timeout(),
        new RevisionLoader.Expected(in.lastAccepted(), in.lastDigest(), in.baseline(), in.rollbackTo(), in.verify()));
  }

  /** Writes an outcome into status, memory, events and metrics. Runs on the reconcile thread. */
  private void record(PolicySource source, PolicySourceStatus previous, PolicySourceStatus status, SourceOutcome outcome) {
    String key = key(source);
    FetchResult fetched = outcome.fetched();
    if (fetched != null) {
      status.fetchedRevision = fetched.commitId();
      status.fetchedAt = now();
      if (source.getSpec().verify != null) {
        PolicySourceStatus.SignatureStatus signature = new PolicySourceStatus.SignatureStatus();
        signature.revision = fetched.commitId();
        signature.trusted = fetched.signature().trusted();
        signature.type = fetched.signature().type().name().toLowerCase();
        signature.key = fetched.signature().keyFingerprint();
        signature.reason = fetched.signature().reason();
        status.signature = signature;
      }
    }
    if (outcome.report() != null && fetched != null) {
      status.validation = summary(fetched.commitId(), outcome.report());
      metrics.findings(key, outcome.report().errors(), outcome.report().warnings());
    } else if (outcome.report() != null) {
      status.validation = summary(null, outcome.report());
    }
    if (outcome.restored() != null) {
      accepted.accept(outcome.restored());
      if (status.lastAcceptedDigest == null && outcome.restored().revision().equals(status.lastAcceptedRevision)) {
        status.lastAcceptedDigest = outcome.restored().digest(); // accepted by a version that did not record it
      }
      metrics.certificates(key, outcome.restored().environments());
      LOG.info("{}: restored last accepted revision {}", key, shortRev(outcome.restored().revision()));
    }
    if (outcome.restoreProblem() != null) {
      events.warning(source, "RestoreFailed", outcome.restoreProblem());
    }
    Conditions conditions = conditions(source, previous, status);
    switch (outcome.kind()) {
      case ACCEPTED -> {
        AcceptedRevision revision = outcome.accepted();
        accepted.accept(revision);
        metrics.certificates(key, revision.environments());
        if (status.lastAcceptedRevision != null && !status.lastAcceptedRevision.equals(revision.revision())) {
          List<PolicySourceStatus.AcceptedRevisionRecord> kept = new java.util.ArrayList<>();
          kept.add(new PolicySourceStatus.AcceptedRevisionRecord(status.lastAcceptedRevision, status.lastAcceptedDigest));
          (status.previousAcceptedRevisions == null ? List.<PolicySourceStatus.AcceptedRevisionRecord>of() : status.previousAcceptedRevisions)
              .stream().filter(r -> !r.revision.equals(status.lastAcceptedRevision) && !r.revision.equals(revision.revision()))
              .forEach(kept::add);
          status.previousAcceptedRevisions = List.copyOf(kept.subList(0, Math.min(AcceptedRevisions.KEPT_BEFORE, kept.size())));
        }
        status.lastAcceptedRevision = revision.revision();
        status.lastAcceptedDigest = revision.digest();
        status.lastAcceptedAt = now();
        status.lastAcceptedCommitTime = revision.commitTime().toString();
        PolicySourceStatus.HighWaterMark mark = new PolicySourceStatus.HighWaterMark();
        mark.revision = revision.revision();
        mark.commitTime = revision.commitTime().toString();
        mark.signer = fetched.signature().trusted() && fetched.signature().keyFingerprint() != null
            ? fetched.signature().keyFingerprint() : fetched.author();
        status.highWaterMark = mark;
        marks.put(cacheKey(source), revision.revision());
        if (outcome.rollback()) {
          events.warning(source, "RollbackAccepted", "accepted " + shortRev(revision.revision()) + " although it does not descend from "
              + shortRev(previous.highWaterMark != null ? previous.highWaterMark.revision : previous.lastAcceptedRevision)
              + ": spec.rollbackTo names it; it is the new high-water mark");
        }
        events.normal(source, "RevisionAccepted", "accepted " + shortRev(revision.revision()) + " (" + fetched.messageFirstLine() + "): "
            + outcome.report().warnings() + " warning(s)");
        conditions.set(Conditions.READY, true, "Accepted", "revision " + shortRev(revision.revision()) + " accepted")
            .set(Conditions.RECONCILING, false, "Accepted", "")
            .set(Conditions.STALLED, false, "Accepted", "");
      }
      case UNCHANGED -> conditions.set(Conditions.READY, true, "Accepted", "revision " + shortRev(status.lastAcceptedRevision) + " accepted")
          .set(Conditions.RECONCILING, false, "Accepted", "")
          .set(Conditions.STALLED, false, "Accepted", "");
      case REJECTED -> {
        String rejectedCommit = fetched != null ? fetched.commitId() : null;
        boolean news = !Objects.equals(rejectedCommit, previous.fetchedRevision)
            || !Objects.equals(conditionReason(previous, Conditions.READY), outcome.reason());
        if (news) {
          // once per rejected commit and reason, not at every poll
          metrics.rejected(key, outcome.reason());
          events.warning(source, switch (outcome.reason()) {
            case "VerificationFailed" -> "RevisionUnverified";
            case "RevisionNotDescendant" -> "RevisionNotDescendant";
            default -> "RevisionRejected";
          }, outcome.message() + servingNote(key));
        }
        conditions.set(Conditions.READY, false, outcome.reason(), outcome.message() + servingNote(key))
            .set(Conditions.RECONCILING, false, outcome.reason(), "")
            .set(Conditions.STALLED, true, outcome.reason(), outcome.reason().equals("RevisionNotDescendant")
                ? "push a commit that descends from the last accepted revision, or set spec.rollbackTo"
                : "fix the repository and push a new commit");
      }
      case FETCH_FAILED -> {
        if (!Objects.equals(conditionReason(previous, Conditions.READY), "FetchFailed")) {
          events.warning(source, "FetchFailed", outcome.message());
        }
        conditions.set(Conditions.READY, false, "FetchFailed", outcome.message() + servingNote(key))
            .set(Conditions.RECONCILING, true, "FetchFailed", "retrying at the next interval")
            .set(Conditions.STALLED, false, "FetchFailed", "");
      }
    }
    status.conditions = build(source, status, conditions);
    metrics.revision(key, status.fetchedRevision, accepted.get(key).map(AcceptedRevision::revision).orElse(null));
  }

  private static Conditions conditions(PolicySource source, PolicySourceStatus previous, PolicySourceStatus status) {
    return new Conditions(previous.conditions, status.observedGeneration, Instant.now());
  }

  /** The kstatus conditions plus Stale and RolledBack, which hold whatever the last fetch did. */
  private List<io.fabric8.kubernetes.api.model.Condition> build(PolicySource source, PolicySourceStatus status, Conditions conditions) {
    freshness(source, status, conditions);
    return conditions.build();
  }

  private void freshness(PolicySource source, PolicySourceStatus status, Conditions conditions) {
    String key = key(source);
    String maxAge = source.getSpec() == null ? null : source.getSpec().maxRevisionAge;
    PolicySourceStatus.HighWaterMark mark = status.highWaterMark;
    if (maxAge != null && !maxAge.isBlank()) {
      Duration limit = GoDuration.parse(maxAge, Duration.ZERO);
      Instant commitTime = mark == null || mark.commitTime == null ? null : Instant.parse(mark.commitTime);
      boolean stale = commitTime == null || Duration.between(commitTime, Instant.now()).compareTo(limit) > 0;
      conditions.set(STALE, stale, commitTime == null ? "NoAcceptedRevision" : stale ? "RevisionTooOld" : "RevisionFresh", commitTime == null
          ? "no revision has been accepted yet"
          : "the accepted commit " + shortRev(mark.revision) + " was committed at " + mark.commitTime
              + (stale ? ", more than maxRevisionAge " + maxAge + " ago: is the mirror frozen? Push a new (or a signed heartbeat) commit"
                  : ", within maxRevisionAge " + maxAge));
      metrics.stale(key, stale, commitTime);
    } else {
      metrics.stale(key, null, null);
    }
    String rollbackTo = source.getSpec() == null ? null : source.getSpec().rollbackTo;
    if (rollbackTo != null && !rollbackTo.isBlank()) {
      boolean active = rollbackTo.equals(status.lastAcceptedRevision);
      conditions.set(ROLLED_BACK, active, active ? "RollbackAccepted" : "RollbackPending", active
          ? "serving " + shortRev(rollbackTo) + " by spec.rollbackTo; remove it once the ref moves forward"
          : "spec.rollbackTo is " + shortRev(rollbackTo) + " but the ref points at " + shortRev(status.fetchedRevision));
    }
  }

  private UpdateControl<PolicySource> finish(PolicySource source, PolicySourceStatus previous, PolicySourceStatus status, Duration interval) {
    UpdateControl<PolicySource> control;
    if (sameStatus(previous, status)) {
      control = UpdateControl.noUpdate();
    } else {
      source.setStatus(status);
      control = UpdateControl.patchStatus(source);
    }
    if (interval != null) {
      // Jitter spreads the polls of many sources so they do not hit the Git server together.
      long jitter = (long) (interval.toMillis() * 0.1 * ThreadLocalRandom.current().nextDouble());
      control.rescheduleAfter(interval.plusMillis(jitter));
    }
    return control;
  }

  private PolicySourceStatus stalled(PolicySourceStatus status, PolicySource source, String reason, String message) {
    PolicySourceStatus previous = source.getStatus() != null ? source.getStatus() : new PolicySourceStatus();
    status.lastHandledReconcileAt = ReconcileRequest.of(source); // nothing to fetch until the spec changes: handled
    status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
        .set(Conditions.READY, false, reason, message + servingNote(key(source)))
        .set(Conditions.RECONCILING, false, reason, "")
        .set(Conditions.STALLED, true, reason, message)
        .build();
    if (!Objects.equals(conditionReason(previous, Conditions.READY), reason)
        || !Objects.equals(conditionMessage(previous, Conditions.STALLED), message)) {
      events.warning(source, reason, message);
    }
    return status;
  }

  @Override
  public DeleteControl cleanup(PolicySource source, Context<PolicySource> context) {
    String key = key(source);
    accepted.forget(key);
    outcomes.remove(cacheKey(source));
    marks.remove(cacheKey(source));
    metrics.forgetSource(key);
    String namespace = source.getMetadata().getNamespace();
    queue.cancel(namespace, key);
    // after any fetch still running for it: the clone goes with the source
    String cacheKey = cacheKey(source);
    queue.submit(namespace, key + "#delete", () -> {
      try {
        fetcher.forget(cacheKey);
      } catch (IOException e) {
        LOG.warn("{}: could not delete its cached clone: {}", key, e.getClass().getSimpleName());
      }
    });
    return DeleteControl.defaultDelete();
  }

  /** Stops taking fetches (operator shutdown or lost leadership); running ones finish on their own. */
  public void close() {
    queue.close();
  }

  /** Waits a little for running fetches to finish: at shutdown nothing should keep writing into the cache. */
  public void awaitFetches(Duration limit) {
    try {
      if (!queue.awaitIdle(limit)) {
        LOG.info("fetches still running after {} s; leaving them to their deadlines", limit.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static String key(PolicySource source) {
    return source.getMetadata().getNamespace() + "/" + source.getMetadata().getName();
  }

  /** The cache belongs to this very object: a source deleted and re-created starts afresh. */
  static String cacheKey(PolicySource source) {
    return key(source) + "/" + source.getMetadata().getUid();
  }

  private static String baseline(PolicySourceStatus status) {
    return status.highWaterMark != null && status.highWaterMark.revision != null ? status.highWaterMark.revision : status.lastAcceptedRevision;
  }

  private static PolicySourceStatus.ValidationSummary summary(String revision, ValidationReport report) {
    PolicySourceStatus.ValidationSummary summary = new PolicySourceStatus.ValidationSummary();
    summary.revision = revision;
    summary.errors = report.errors();
    summary.warnings = report.warnings();
    List<Finding> ordered = report.findings().stream()
        .sorted(Comparator.comparing((Finding f) -> f.isError() ? 0 : 1).thenComparing(Finding.ORDER)).toList();
    for (Finding f : ordered.subList(0, Math.min(ordered.size(), MAX_FINDINGS_IN_STATUS))) {
      PolicySourceStatus.FindingStatus finding = new PolicySourceStatus.FindingStatus();
      finding.ruleId = f.ruleId();
      finding.severity = f.severity().label();
      finding.file = f.file();
      finding.pointer = f.pointer().isEmpty() ? null : f.pointer();
      finding.line = f.line() > 0 ? f.line() : null;
      finding.column = f.column() > 0 ? f.column() : null;
      finding.message = f.message();
      summary.findings.add(finding);
    }
    summary.truncated = ordered.size() > MAX_FINDINGS_IN_STATUS ? true : null;
    return summary;
  }

  private String servingNote(String key) {
    return accepted.get(key).map(a -> "; still serving " + shortRev(a.revision())).orElse("; no accepted revision is being served");
  }

  private static String conditionReason(PolicySourceStatus status, String type) {
    return status.conditions == null ? null : status.conditions.stream().filter(c -> type.equals(c.getType()))
        .map(c -> c.getReason()).findFirst().orElse(null);
  }

  private static String conditionMessage(PolicySourceStatus status, String type) {
    return status.conditions == null ? null : status.conditions.stream().filter(c -> type.equals(c.getType()))
        .map(c -> c.getMessage()).findFirst().orElse(null);
  }

  static String shortRev(String revision) {
    return revision == null ? "none" : revision.length() > 12 ? revision.substring(0, 12) : revision;
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static PolicySourceStatus copy(PolicySourceStatus s) {
    return io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().convertValue(s, PolicySourceStatus.class);
  }

  private static boolean sameStatus(PolicySourceStatus a, PolicySourceStatus b) {
    var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    // fetchedAt changes at every poll; it alone is not worth a write
    PolicySourceStatus left = copy(a);
    PolicySourceStatus right = copy(b);
    left.fetchedAt = null;
    right.fetchedAt = null;
    return mapper.valueToTree(left).equals(mapper.valueToTree(right));
  }
}
