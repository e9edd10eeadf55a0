package io.trustsync.operator.distribution;

import io.trustsync.status.DistributionStatus;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
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
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionSpec;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.crd.target.TrustDistributionTargetSpec;
import io.trustsync.operator.shared.EventRecorder;
import io.trustsync.operator.SpecOrRequestFilter;
import io.trustsync.operator.shared.ReconcileRequest;
import io.trustsync.operator.shared.TrustSyncMetrics;
import io.trustsync.operator.member.MemberConnections;
import io.trustsync.operator.member.MemberDirectory;
import io.trustsync.operator.source.AcceptedRevision;
import io.trustsync.operator.source.AcceptedRevisions;
import io.trustsync.operator.target.Renderings;
import io.trustsync.operator.target.TargetNames;
import io.trustsync.rendering.Ownership;
import io.trustsync.rendering.Profile;
import io.trustsync.rendering.ProfileOptions;
import io.trustsync.rendering.Rendering;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.findings.Finding;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Turns a TrustDistribution into one {@link TrustDistributionTarget} per selected member: what
 * that cluster must hold (the accepted revision, environment, profile, namespace and the digest
 * of its rendering). Targets no longer selected are deleted; their finalizer removes what they
 * applied. The distribution's status is the aggregate of its targets'. This reconcile never talks
 * to a member cluster.
 */
@ControllerConfiguration(name = "trustdistribution", generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrRequestFilter.class))
public final class TrustDistributionReconciler implements Reconciler<TrustDistribution>, Cleaner<TrustDistribution> {
  private static final Duration RESYNC = Duration.ofMinutes(5);
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int TARGET_WRITES = 8;
  static final Duration STATUS_SPACING = Duration.ofMillis(500);

  private final MemberDirectory members;
  private final MemberConnections connections;
  private final AcceptedRevisions revisions;
  private final Renderings renderings;
  private final TrustSyncMetrics metrics;
  private final EventRecorder events;
  /** Selectors of the distributions seen, so a MemberCluster change wakes only the distributions it concerns. */
  private final Map<ResourceID, LabelSelector> selectors = new ConcurrentHashMap<>();
  private final Map<String, String> renderingWarningsSeen = new ConcurrentHashMap<>();
  /** When each distribution's status was last written (monotonic clock). */
  private final Map<ResourceID, Long> statusWrittenAt = new ConcurrentHashMap<>();
  private final ExecutorService writers = Executors.newFixedThreadPool(TARGET_WRITES, Thread.ofPlatform().daemon().name("target-writes").factory());
  private volatile SimpleInboundEventSource<TrustDistribution> triggers = new SimpleInboundEventSource<>("distribution-triggers");

  public TrustDistributionReconciler(MemberDirectory members, MemberConnections connections, AcceptedRevisions revisions, Renderings renderings,
      TrustSyncMetrics metrics, EventRecorder events) {
    this.members = members;
    this.connections = connections;
    this.revisions = revisions;
    this.renderings = renderings;
    this.metrics = metrics;
    this.events = events;
    members.onChange(this::memberChanged);
    revisions.onChange(source -> triggerNamespace(source.substring(0, source.indexOf('/'))));
  }

  @Override
  public List<EventSource<?, TrustDistribution>> prepareEventSources(EventSourceContext<TrustDistribution> context) {
    triggers = new SimpleInboundEventSource<>("distribution-triggers");
    var targets = new InformerEventSource<>(InformerEventSourceConfiguration.from(TrustDistributionTarget.class, TrustDistribution.class)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(TrustDistribution.class))
        .withNamespacesInheritedFromController()
        .build(), context);
    return List.of(triggers, targets);
  }

  /**
   * A MemberCluster was added, changed or removed: only the distributions of its namespace whose
   * selector matches it now, or that have a target for it, need to look again.
   */
  private void memberChanged(MemberCluster cluster) {
    String namespace = cluster.getMetadata().getNamespace();
    Map<String, String> labels = cluster.getMetadata().getLabels() == null ? Map.of() : cluster.getMetadata().getLabels();
    String member = cluster.getMetadata().getName();
    selectors.forEach((id, selector) -> {
      if (Objects.equals(id.getNamespace().orElse(null), namespace)
          && (MemberDirectory.matches(selector, labels) || hasTarget(id, member))) {
        triggers.propagateEvent(id);
      }
    });
  }

  /** Distribution id -> the members it has targets for, as last reconciled. */
  private final Map<ResourceID, Set<String>> targeted = new ConcurrentHashMap<>();

  private boolean hasTarget(ResourceID distribution, String member) {
    return targeted.getOrDefault(distribution, Set.of()).contains(member);
  }

  private void triggerNamespace(String namespace) {
    selectors.keySet().stream().filter(id -> Objects.equals(id.getNamespace().orElse(null), namespace)).forEach(triggers::propagateEvent);
  }

  @Override
  public UpdateControl<TrustDistribution> reconcile(TrustDistribution distribution, Context<TrustDistribution> context) {
    Instant started = Instant.now();
    try {
      return reconcileDistribution(distribution, context);
    } finally {
      metrics.reconcile("trustdistribution", Duration.between(started, Instant.now()));
    }
  }

  private UpdateControl<TrustDistribution> reconcileDistribution(TrustDistribution distribution, Context<TrustDistribution> context) {
    String namespace = distribution.getMetadata().getNamespace();
    selectors.put(ResourceID.fromResource(distribution), distribution.getSpec().clusterSelector == null
        ? new LabelSelector() : distribution.getSpec().clusterSelector);
    TrustDistributionSpec spec = distribution.getSpec();
    Profile profile = Profile.of(spec.profile == null ? "native" : spec.profile).orElse(null);
    if (profile == null) {
      return patch(distribution, DistributionStatus.blocked(distribution, true, "InvalidSpec",
          "spec.profile '" + spec.profile + "' is not one of " + Profile.names()), RESYNC);
    }
    ProfileOptions.Result options = ProfileOptions.of(spec.ratify);
    if (options.error() != null) {
      return patch(distribution, DistributionStatus.blocked(distribution, true, "InvalidSpec", options.error()), RESYNC);
    }
    String invalidEnforcement = Enforcements.invalid(spec);
    if (invalidEnforcement != null) {
      return patch(distribution, DistributionStatus.blocked(distribution, true, "InvalidSpec", invalidEnforcement), RESYNC);
    }
    String sourceKey = namespace + "/" + spec.sourceRef.name;
    AcceptedRevision revision = revisions.get(sourceKey).orElse(null);
    if (revision == null) {
      return patch(distribution, DistributionStatus.blocked(distribution, false, "WaitingForSource",
          "PolicySource " + spec.sourceRef.name + " has no accepted revision yet (see its status)"), WAIT);
    }
    AcceptedEnvironment environment = revision.environments().get(spec.environment);
    if (environment == null) {
      return patch(distribution, DistributionStatus.blocked(distribution, true, "UnknownEnvironment",
          "revision " + revision.revision().substring(0, 12) + " has no environment '" + spec.environment + "'; it has "
              + String.join(", ", revision.environments().keySet())), RESYNC);
    }
    String label = Ownership.distributionLabel(namespace, distribution.getMetadata().getName());
    Map<String, TrustDistributionTarget> existing = new HashMap<>();
    context.getSecondaryResources(TrustDistributionTarget.class).forEach(t -> existing.put(t.getSpec().member, t));
    Map<String, TrustDistributionTarget> desired = new LinkedHashMap<>();
    List<DistributionStatus.ClusterView> views = new ArrayList<>();
    Map<String, Rendering> used = new LinkedHashMap<>();
    List<MemberCluster> eligible = new ArrayList<>();
    for (MemberCluster member : members.select(namespace, spec.clusterSelector)) {
      String memberName = member.getMetadata().getName();
      String targetNamespace = spec.targetNamespace.replace("${cluster}", memberName);
      if (connections.isHub(member) && !connections.access().tenancy().isPlatform(namespace)) {
        String refusal = connections.hubRefusal(namespace);
        if (refusal == null && !targetNamespace.equals(namespace)) {
          // a tenant's hub member writes with the operator's identity: only into the tenant's own namespace
          refusal = "cluster " + memberName + " is the hub; a distribution in tenant namespace " + namespace
              + " may write to the hub only in its own namespace: set targetNamespace: " + namespace;
        }
        if (refusal != null) {
          views.add(new DistributionStatus.ClusterView(memberName, "Failed", null, refusal, 0));
          continue;
        }
      }
      eligible.add(member);
    }
    String previousRevision = revisions.previous(sourceKey).map(AcceptedRevision::revision).orElse(null);
    Rollouts.Outcome rollout = null;
    if (spec.rollout != null && spec.rollout.stages != null && !spec.rollout.stages.isEmpty()) {
      try {
        rollout = Rollouts.plan(distribution, eligible, existing, revision.revision(), previousRevision, Instant.now());
      } catch (IllegalArgumentException e) {
        return patch(distribution, DistributionStatus.blocked(distribution, true, "InvalidSpec", "spec.rollout: " + e.getMessage()), RESYNC);
      }
    }
    Instant now = Instant.now();
    Map<String, Map<String, String>> enforcementWaits = new LinkedHashMap<>();
    Map<String, List<String>> flips = new LinkedHashMap<>();
    Instant enforcementCheck = null;
    for (MemberCluster member : eligible) {
      String memberName = member.getMetadata().getName();
      String targetNamespace = spec.targetNamespace.replace("${cluster}", memberName);
      AcceptedRevision runs = revision;
      if (rollout != null) {
        String planned = rollout.decision().revisions().get(memberName);
        TrustDistributionTarget current = existing.get(memberName);
        runs = planned == null ? null : revisions.get(sourceKey, planned).orElse(null);
        String fleetPrevious = rollout.decision().memory() == null ? null : rollout.decision().memory().previousRevision();
        if (runs == null && planned != null && current != null && revision.revision().equals(current.getSpec().revision) && fleetPrevious != null) {
          // going back (rollback, abort) to what it ran, which is no longer loaded: the fleet's previous revision instead
          runs = revisions.get(sourceKey, fleetPrevious).orElse(null);
        }
        if (runs == null || runs.environments().get(spec.environment) == null) {
          if (current != null) {
            desired.put(memberName, current); // held where it is: its revision is no longer loaded here
          }
          continue; // not reached yet, and no target before: none until its stage's turn
        }
      }
      Renderings.Rendered rendered = renderings.of(runs, runs.environments().get(spec.environment), profile, options.options(), targetNamespace, label);
      used.putIfAbsent(targetNamespace + "@" + runs.revision(), rendered.rendering());
      Enforcements.ForCluster enforcement = Enforcements.forCluster(distribution, member, existing.get(memberName), runs.revision(), now);
      enforcementWaits.put(memberName, enforcement.waitingFor());
      if (!enforcement.flipped().isEmpty()) {
        flips.put(memberName, enforcement.flipped());
      }
      if (enforcement.nextCheck() != null && (enforcementCheck == null || enforcement.nextCheck().isBefore(enforcementCheck))) {
        enforcementCheck = enforcement.nextCheck();
      }
      String digest = Renderings.withEnforcement(rendered, enforcement.desired(), label, spec.environment).digest();
      TrustDistributionTarget target = target(distribution, member, runs, profile, targetNamespace, digest);
      target.getSpec().enforcement = enforcement.desired();
      desired.put(memberName, target);
    }
    Set<String> loaded = new java.util.HashSet<>();
    loaded.add(revision.revision());
    revisions.kept(sourceKey).forEach(r -> loaded.add(r.revision()));
    renderings.retainOnly(sourceKey, loaded);
    // write what changed, a few at a time: a commit touches every target's spec, and nothing else on the hub
    KubernetesClient hub = context.getClient();
    List<Future<?>> writes = new ArrayList<>();
    desired.forEach((memberName, target) -> {
      TrustDistributionTarget current = existing.get(memberName);
      if (current == null) {
        writes.add(writers.submit(() -> create(hub, target)));
      } else if (!sameSpec(current.getSpec(), target.getSpec()) || !Objects.equals(current.getMetadata().getLabels(), target.getMetadata().getLabels())) {
        // a merge patch of spec and labels: the cheapest write, and a commit makes one per cluster
        writes.add(writers.submit(() -> hub.resources(TrustDistributionTarget.class).inNamespace(namespace)
            .withName(target.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE), specPatch(target))));
      }
    });
    for (TrustDistributionTarget gone : existing.values()) {
      if (!desired.containsKey(gone.getSpec().member) && gone.getMetadata().getDeletionTimestamp() == null) {
        writes.add(writers.submit(() -> hub.resource(gone).delete()));
        events.normal(distribution, "ClusterDeselected", "cluster " + gone.getSpec().member + " no longer selected"
            + (spec.prune == null || spec.prune ? "; its objects are being deleted" : ""));
      }
    }
    for (Future<?> write : writes) {
      try {
        write.get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    desired.forEach((memberName, target) -> {
      TrustDistributionTarget current = existing.get(memberName);
      var status = current == null ? null : current.getStatus();
      boolean current_ = current != null && sameSpec(current.getSpec(), target.getSpec());
      String state = status == null || status.state == null ? "Applying" : current_ ? status.state : "Applying";
      views.add(new DistributionStatus.ClusterView(memberName, state, status == null ? null : status.appliedRevision,
          status == null ? "waiting for the first apply" : status.message, status == null || status.drift == null ? 0 : status.drift.size()));
    });
    for (MemberCluster member : eligible) {
      if (!desired.containsKey(member.getMetadata().getName())) {
        views.add(new DistributionStatus.ClusterView(member.getMetadata().getName(), "Applying", null, "waiting for its roll-out stage", 0));
      }
    }
    flips.forEach((memberName, scopes) -> events.normal(distribution, "EnforcementDenied", "cluster " + memberName + ": "
        + (scopes.size() == 1 ? "scope " : "scopes ") + String.join(", ", scopes) + (scopes.size() == 1 ? " now denies" : " now deny") + " (warned long enough; Gatekeeper's audit clean long enough)"));
    targeted.put(ResourceID.fromResource(distribution), Set.copyOf(desired.keySet()));
    reportRenderingWarnings(distribution, revision, used.values());
    List<Finding> lossy = new ArrayList<>();
    used.values().forEach(rendering -> lossy.addAll(rendering.warnings()));
    TrustDistributionStatus status = DistributionStatus.of(distribution, revision.revision(), views, Boolean.TRUE.equals(spec.suspend),
        lossy.stream().distinct().toList(), Instant.now());
    Map<String, TrustDistributionTarget> reported = new LinkedHashMap<>();
    desired.keySet().forEach(memberName -> {
      if (existing.containsKey(memberName)) {
        reported.put(memberName, existing.get(memberName));
      }
    });
    status.enforcement = Enforcements.summary(spec, reported, enforcementWaits);
    Duration after = RESYNC;
    if (enforcementCheck != null) {
      Duration untilCheck = Duration.between(Instant.now(), enforcementCheck).plusSeconds(1);
      after = untilCheck.compareTo(after) < 0 ? (untilCheck.isNegative() ? Duration.ofSeconds(1) : untilCheck) : after;
    }
    int running = (int) status.revisions.stream().filter(r -> r.revision != null && r.clusters != null && r.clusters > 0).count();
    String before = distribution.getStatus() == null ? null : distribution.getStatus().divergedSince;
    status.divergedSince = running > 1 ? (before != null ? before : Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()) : null;
    metrics.divergence(key(distribution), running, status.divergedSince == null ? null : Instant.parse(status.divergedSince),
        rollout != null && rollout.decision().halted());
    if (rollout != null) {
      Rollouts.report(distribution, rollout, status, events);
      if (rollout.decision().nextCheck() != null) {
        Duration untilSoaked = Duration.between(Instant.now(), rollout.decision().nextCheck()).plusSeconds(1);
        after = untilSoaked.compareTo(after) < 0 ? (untilSoaked.isNegative() ? Duration.ofSeconds(1) : untilSoaked) : after;
      }
    }
    return patch(distribution, status, after);
  }

  private static TrustDistributionTarget create(KubernetesClient hub, TrustDistributionTarget target) {
    try {
      return hub.resource(target).create();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // there already (the informer had not seen it yet): make it what it must be
      return hub.resource(target).fieldManager("trustsync").forceConflicts().serverSideApply();
    }
  }

  private static String specPatch(TrustDistributionTarget target) {
    var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    var patch = mapper.createObjectNode();
    patch.putObject("metadata").set("labels", mapper.valueToTree(target.getMetadata().getLabels()));
    com.fasterxml.jackson.databind.node.ObjectNode spec = mapper.valueToTree(target.getSpec());
    for (java.lang.reflect.Field field : TrustDistributionTargetSpec.class.getFields()) {
      if (!spec.has(field.getName())) {
        spec.putNull(field.getName()); // a merge patch keeps what it does not mention: a cleared field must say so
      }
    }
    patch.set("spec", spec);
    return patch.toString();
  }

  private static TrustDistributionTarget target(TrustDistribution distribution, MemberCluster member, AcceptedRevision revision, Profile profile,
      String targetNamespace, String digest) {
    TrustDistributionSpec spec = distribution.getSpec();
    String name = TargetNames.target(distribution.getMetadata().getName(), member.getMetadata().getName());
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(TargetNames.OWNER_LABEL, TargetNames.labelValue(distribution.getMetadata().getName()));
    labels.put(TargetNames.MEMBER_LABEL, TargetNames.labelValue(member.getMetadata().getName()));
    String shardKey = member.getMetadata().getLabels() == null ? null : member.getMetadata().getLabels().get(io.trustsync.operator.shared.Sharding.LABEL);
    if (shardKey != null) {
      labels.put(io.trustsync.operator.shared.Sharding.LABEL, shardKey);
    }
    TrustDistributionTarget target = new TrustDistributionTarget();
    target.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(distribution.getMetadata().getNamespace()).withLabels(labels)
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(distribution.getApiVersion()).withKind(distribution.getKind())
            .withName(distribution.getMetadata().getName()).withUid(distribution.getMetadata().getUid())
            .withController(true).withBlockOwnerDeletion(true).build())
        .build());
    TrustDistributionTargetSpec targetSpec = new TrustDistributionTargetSpec();
    targetSpec.distribution = distribution.getMetadata().getName();
    targetSpec.member = member.getMetadata().getName();
    targetSpec.source = spec.sourceRef.name;
    targetSpec.revision = revision.revision();
    targetSpec.environment = spec.environment;
    targetSpec.profile = profile.id();
    targetSpec.ratify = profile == Profile.RATIFY_V2 ? spec.ratify : null;
    targetSpec.targetNamespace = targetNamespace;
    targetSpec.renderingDigest = digest;
    targetSpec.driftMode = spec.driftMode == null ? "correct" : spec.driftMode;
    targetSpec.prune = spec.prune == null || spec.prune;
    targetSpec.suspend = Boolean.TRUE.equals(spec.suspend) ? true : null;
    target.setSpec(targetSpec);
    return target;
  }

  /** Field by field, not through JSON: a distribution of a thousand clusters compares a thousand specs per reconcile. */
  static boolean sameSpec(TrustDistributionTargetSpec a, TrustDistributionTargetSpec b) {
    return Objects.equals(a.distribution, b.distribution) && Objects.equals(a.member, b.member) && Objects.equals(a.source, b.source)
        && Objects.equals(a.revision, b.revision) && Objects.equals(a.environment, b.environment) && Objects.equals(a.profile, b.profile)
        && Objects.equals(a.ratify, b.ratify)
        && Objects.equals(a.targetNamespace, b.targetNamespace) && Objects.equals(a.renderingDigest, b.renderingDigest)
        && Objects.equals(a.driftMode, b.driftMode) && Objects.equals(a.prune, b.prune) && Objects.equals(a.suspend, b.suspend)
        && Objects.equals(a.enforcement, b.enforcement);
  }

  private void reportRenderingWarnings(TrustDistribution distribution, AcceptedRevision revision, Iterable<Rendering> renderings) {
    for (Rendering rendering : renderings) {
      for (Finding warning : rendering.warnings()) {
        String seenKey = key(distribution) + "|" + revision.revision() + "|" + warning.ruleId() + "|" + warning.pointer();
        if (renderingWarningsSeen.putIfAbsent(seenKey, "") == null) {
          events.warning(distribution, "RenderingWarning", warning.ruleId() + ": " + warning.message());
        }
      }
    }
  }

  private UpdateControl<TrustDistribution> patch(TrustDistribution distribution, TrustDistributionStatus status, Duration after) {
    var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    // this reconcile saw the request, whatever it found: `trustsync reconcile` stops waiting
    status.lastHandledReconcileAt = ReconcileRequest.of(distribution);
    if (distribution.getStatus() != null && mapper.valueToTree(distribution.getStatus()).equals(mapper.valueToTree(status))) {
      return UpdateControl.<TrustDistribution>noUpdate().rescheduleAfter(after);
    }
    // While a commit rolls out every target's status changes, and each change wakes this reconcile:
    // the aggregate is written at most once per STATUS_SPACING, the last state always.
    ResourceID id = ResourceID.fromResource(distribution);
    long now = System.nanoTime();
    Long last = statusWrittenAt.get(id);
    // what a staged roll-out remembers (done stages, a halt, a rollback) is written at once: the next
    // reconcile plans from it
    boolean rolloutChanged = distribution.getStatus() != null && !Objects.equals(rolloutMemory(distribution.getStatus().rollout),
        rolloutMemory(status.rollout));
    if (!rolloutChanged && distribution.getStatus() != null && last != null && now - last < STATUS_SPACING.toNanos()) {
      return UpdateControl.<TrustDistribution>noUpdate().rescheduleAfter(Duration.ofNanos(STATUS_SPACING.toNanos() - (now - last)).plusMillis(1));
    }
    statusWrittenAt.put(id, now);
    distribution.setStatus(status);
    return UpdateControl.patchStatus(distribution).rescheduleAfter(after);
  }

  /** The part of status.rollout the next plan is made from. */
  private static String rolloutMemory(TrustDistributionStatus.RolloutStatus rollout) {
    if (rollout == null) {
      return null;
    }
    StringBuilder memory = new StringBuilder().append(rollout.revision).append('|').append(rollout.previousRevision).append('|')
        .append(rollout.haltedAt);
    rollout.stages.forEach(stage -> memory.append('|').append(stage.name).append('=').append(stage.state).append('@').append(stage.doneAt));
    return memory.toString();
  }

  /** Deletes the distribution's targets and waits until their finalizers removed what they applied. */
  @Override
  public DeleteControl cleanup(TrustDistribution distribution, Context<TrustDistribution> context) {
    Set<TrustDistributionTarget> targets = context.getSecondaryResources(TrustDistributionTarget.class);
    selectors.remove(ResourceID.fromResource(distribution));
    metrics.forgetDistribution(key(distribution));
    targeted.remove(ResourceID.fromResource(distribution));
    statusWrittenAt.remove(ResourceID.fromResource(distribution));
    renderingWarningsSeen.keySet().removeIf(k -> k.startsWith(key(distribution) + "|"));
    if (targets.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    for (TrustDistributionTarget target : targets) {
      if (target.getMetadata().getDeletionTimestamp() == null) {
        context.getClient().resource(target).delete();
      }
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(1_000);
  }

  /** Stops taking work (the reconcilers stopped). */
  public void close() {
    writers.shutdownNow();
  }

  public static String key(TrustDistribution distribution) {
    return distribution.getMetadata().getNamespace() + "/" + distribution.getMetadata().getName();
  }
}
