package io.trustsync.operator.source;

import io.fabric8.kubernetes.client.KubernetesClient;
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
import io.trustsync.operator.Conditions;
import io.trustsync.operator.EventRecorder;
import io.trustsync.operator.SpecOrRequestFilter;
import io.trustsync.operator.GoDuration;
import io.trustsync.operator.TrustSyncMetrics;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.source.FetchResult;
import io.trustsync.source.GitFetcher;
import io.trustsync.source.GitRef;
import io.trustsync.source.GitSource;
import io.trustsync.source.SourceException;
import io.trustsync.validation.Finding;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.validation.ValidationOptions;
import io.trustsync.validation.ValidationReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fetch, verify, validate, accept: a PolicySource's reconcile is the gate between Git and the
 * clusters. A revision that fails signature verification or validation is reported and never
 * accepted; the last accepted revision keeps being served.
 */
@ControllerConfiguration(name = "policysource", generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrRequestFilter.class))
public final class PolicySourceReconciler implements Reconciler<PolicySource>, Cleaner<PolicySource> {
  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  private static final int MAX_FINDINGS_IN_STATUS = 100;

  private final KubernetesClient hub;
  private final GitFetcher fetcher;
  private final AcceptedRevisions accepted;
  private final TrustSyncMetrics metrics;
  private final EventRecorder events;
  private final Duration expiryWindow;
  private final SimpleInboundEventSource<PolicySource> triggers = new SimpleInboundEventSource<>("policysource-triggers");

  public PolicySourceReconciler(KubernetesClient hub, GitFetcher fetcher, AcceptedRevisions accepted, TrustSyncMetrics metrics,
      EventRecorder events, Duration expiryWindow) {
    this.hub = hub;
    this.fetcher = fetcher;
    this.accepted = accepted;
    this.metrics = metrics;
    this.events = events;
    this.expiryWindow = expiryWindow;
  }

  /** Fetch now (a verified webhook arrived). */
  public void trigger(String namespace, String name) {
    triggers.propagateEvent(new ResourceID(name, namespace));
  }

  @Override
  public List<EventSource<?, PolicySource>> prepareEventSources(EventSourceContext<PolicySource> context) {
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
    PolicySourceStatus previous = source.getStatus() != null ? source.getStatus() : new PolicySourceStatus();
    PolicySourceStatus status = copy(previous);
    status.observedGeneration = source.getMetadata().getGeneration();
    Duration interval;
    try {
      interval = GoDuration.parse(source.getSpec() == null ? null : source.getSpec().interval, DEFAULT_INTERVAL);
    } catch (IllegalArgumentException e) {
      return finish(source, previous, stalled(status, source, "InvalidSpec", "spec.interval: " + e.getMessage()), DEFAULT_INTERVAL);
    }
    if (source.getSpec() != null && Boolean.TRUE.equals(source.getSpec().suspend)) {
      status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
          .set(Conditions.READY, previous.lastAcceptedRevision != null, "Suspended",
              "fetching is suspended; serving " + shortRev(previous.lastAcceptedRevision))
          .set(Conditions.RECONCILING, false, "Suspended", "")
          .set(Conditions.STALLED, false, "Suspended", "")
          .build();
      return finish(source, previous, status, null);
    }
    GitSource git;
    try {
      git = SourceCredentials.describe(source, hub);
    } catch (SourceCredentials.InvalidSourceException e) {
      return finish(source, previous, stalled(status, source, "InvalidSpec", e.getMessage()), interval);
    }
    Instant fetchStart = Instant.now();
    FetchResult fetched;
    try {
      fetched = fetcher.fetch(key, git);
      metrics.fetch(key, Duration.between(fetchStart, Instant.now()), false);
    } catch (SourceException e) {
      metrics.fetch(key, Duration.between(fetchStart, Instant.now()), true);
      if (!Objects.equals(conditionReason(previous, Conditions.READY), "FetchFailed")) {
        events.warning(source, "FetchFailed", e.getMessage());
      }
      restoreAfterRestart(source, git, previous);
      status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
          .set(Conditions.READY, false, "FetchFailed", e.getMessage() + servingNote(previous))
          .set(Conditions.RECONCILING, true, "FetchFailed", "retrying every " + interval)
          .set(Conditions.STALLED, false, "FetchFailed", "")
          .build();
      return finish(source, previous, status, interval);
    }
    status.fetchedRevision = fetched.commitId();
    status.fetchedAt = now();
    String rejection = null;
    String reason = null;
    if (git.trustedKeys() != null && !git.trustedKeys().isBlank()) {
      PolicySourceStatus.SignatureStatus signature = new PolicySourceStatus.SignatureStatus();
      signature.revision = fetched.commitId();
      signature.trusted = fetched.signature().trusted();
      signature.type = fetched.signature().type().name().toLowerCase();
      signature.key = fetched.signature().keyFingerprint();
      signature.reason = fetched.signature().reason();
      status.signature = signature;
      if (!fetched.signature().trusted()) {
        reason = "VerificationFailed";
        rejection = "commit " + shortRev(fetched.commitId()) + " rejected: " + fetched.signature().reason();
      }
    }
    if (rejection == null) {
      boolean alreadyAccepted = fetched.commitId().equals(previous.lastAcceptedRevision)
          && accepted.get(key).map(a -> a.revision().equals(fetched.commitId())).orElse(false);
      if (!alreadyAccepted) {
        ValidationReport report;
        try {
          ValidationOptions options = new ValidationOptions(Instant.now(), expiryWindow, RepositoryReader.DEFAULT_MAX_FILE_BYTES);
          report = RepositoryValidator.validate(RepositoryReader.read(fetched.snapshotRoot()), options);
        } catch (IOException e) {
          report = null;
          reason = "ValidationFailed";
          rejection = "cannot read the policy repository at '" + (git.path().isEmpty() ? "/" : git.path()) + "' of commit "
              + shortRev(fetched.commitId()) + ": " + e.getMessage();
        }
        if (report != null) {
          status.validation = summary(fetched.commitId(), report);
          metrics.findings(key, report.errors(), report.warnings());
          if (report.accepted()) {
            accepted.accept(new AcceptedRevision(key, fetched.commitId(), fetched.commitTime(), Instant.now(), report.environments()));
            metrics.certificates(key, report.environments());
            status.lastAcceptedRevision = fetched.commitId();
            status.lastAcceptedAt = now();
            status.lastAcceptedCommitTime = fetched.commitTime().toString();
            events.normal(source, "RevisionAccepted", "accepted " + shortRev(fetched.commitId()) + " (" + fetched.messageFirstLine() + "): "
                + report.warnings() + " warning(s)");
          } else {
            reason = "ValidationFailed";
            Finding first = report.findings().stream().filter(Finding::isError).findFirst().orElseThrow();
            rejection = "commit " + shortRev(fetched.commitId()) + " rejected: " + report.errors() + " error(s); first: "
                + first.place() + " " + first.ruleId() + ": " + first.message();
          }
        }
      }
    }
    if (rejection != null) {
      metrics.rejected(key);
      if (!fetched.commitId().equals(previous.fetchedRevision) || !Objects.equals(conditionReason(previous, Conditions.READY), reason)) {
        events.warning(source, reason.equals("VerificationFailed") ? "RevisionUnverified" : "RevisionRejected", rejection + servingNote(previous));
      }
      restoreAfterRestart(source, git, previous);
      status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
          .set(Conditions.READY, false, reason, rejection + servingNote(previous))
          .set(Conditions.RECONCILING, false, reason, "")
          .set(Conditions.STALLED, true, reason, "fix the repository and push a new commit")
          .build();
    } else {
      status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
          .set(Conditions.READY, true, "Accepted", "revision " + shortRev(status.lastAcceptedRevision) + " accepted")
          .set(Conditions.RECONCILING, false, "Accepted", "")
          .set(Conditions.STALLED, false, "Accepted", "")
          .build();
    }
    metrics.revision(key, status.fetchedRevision, status.lastAcceptedRevision);
    return finish(source, previous, status, interval);
  }

  /**
   * After an operator restart nothing is in memory: when the newest commit is rejected, the last
   * accepted one (recorded in status) is fetched and validated again so it keeps being served.
   */
  private void restoreAfterRestart(PolicySource source, GitSource git, PolicySourceStatus previous) {
    String key = key(source);
    if (previous.lastAcceptedRevision == null || accepted.get(key).isPresent()) {
      return;
    }
    try {
      FetchResult last = fetcher.fetch(key, git.withRef(new GitRef.Commit(previous.lastAcceptedRevision)).withTrustedKeys(""));
      ValidationOptions options = new ValidationOptions(Instant.now(), expiryWindow, RepositoryReader.DEFAULT_MAX_FILE_BYTES);
      ValidationReport report = RepositoryValidator.validate(RepositoryReader.read(last.snapshotRoot()), options);
      if (report.accepted()) {
        accepted.accept(new AcceptedRevision(key, last.commitId(), last.commitTime(), Instant.now(), report.environments()));
        metrics.certificates(key, report.environments());
      }
    } catch (SourceException | IOException | RuntimeException e) {
      events.warning(source, "RestoreFailed", "could not restore last accepted revision " + shortRev(previous.lastAcceptedRevision) + ": " + e.getMessage());
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
    status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
        .set(Conditions.READY, false, reason, message + servingNote(previous))
        .set(Conditions.RECONCILING, false, reason, "")
        .set(Conditions.STALLED, true, reason, message)
        .build();
    events.warning(source, reason, message);
    return status;
  }

  @Override
  public DeleteControl cleanup(PolicySource source, Context<PolicySource> context) {
    accepted.forget(key(source));
    return DeleteControl.defaultDelete();
  }

  public static String key(PolicySource source) {
    return source.getMetadata().getNamespace() + "/" + source.getMetadata().getName();
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

  private static String servingNote(PolicySourceStatus previous) {
    return previous.lastAcceptedRevision == null ? "; no revision has been accepted yet"
        : "; still serving " + shortRev(previous.lastAcceptedRevision);
  }

  private static String conditionReason(PolicySourceStatus status, String type) {
    return status.conditions == null ? null : status.conditions.stream().filter(c -> type.equals(c.getType()))
        .map(c -> c.getReason()).findFirst().orElse(null);
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
