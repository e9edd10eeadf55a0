package io.trustsync.operator.target;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
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
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.crd.target.TrustDistributionTargetSpec;
import io.trustsync.crd.target.TrustDistributionTargetStatus;
import io.trustsync.crd.target.TrustDistributionTargetStatus.InventoryEntry;
import io.trustsync.operator.shared.BundledCrds;
import io.trustsync.status.Conditions;
import io.trustsync.operator.shared.EventRecorder;
import io.trustsync.operator.shared.TrustSyncMetrics;
import io.trustsync.operator.member.MemberConnections;
import io.trustsync.operator.member.MemberDirectory;
import io.trustsync.operator.source.AcceptedRevision;
import io.trustsync.operator.source.AcceptedRevisions;
import io.trustsync.rendering.ConsumerStatus;
import io.trustsync.rendering.GatekeeperConstraint;
import io.trustsync.rendering.Profile;
import io.trustsync.rendering.ProfileOptions;
import io.trustsync.rendering.RenderedKind;
import io.trustsync.rendering.RenderedObject;
import io.trustsync.validation.AcceptedEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one member cluster equal to what its target says, as a runbook:
 * <ol>
 *   <li>find the member and its client, and the accepted revision the target names;
 *   <li>render it (cached: one rendering for every cluster that gets the same);
 *   <li>observe: read the live objects from the member's watches, compare them with the
 *       rendering, and find what the inventory holds that is no longer rendered;
 *   <li>act: if the digest is the one applied and nothing drifted, write nothing at all;
 *       otherwise apply what differs (everything, for new content), correct drift unless the
 *       drift mode is report, prune what is no longer rendered;
 *   <li>report: state, applied revision and digest, drift, and the inventory, in status.
 * </ol>
 * Deleting a target (its distribution was deleted, or the cluster deselected) deletes everything
 * in its inventory, also when that happened while the operator was down: the finalizer waits.
 */
@ControllerConfiguration(name = "trustdistributiontarget", generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = io.trustsync.operator.SpecOrRequestFilter.class))
@GradualRetry(maxAttempts = -1, initialInterval = 500, intervalMultiplier = 2, maxInterval = 30_000)
public final class TargetReconciler implements Reconciler<TrustDistributionTarget>, Cleaner<TrustDistributionTarget> {
  private static final Logger LOG = LoggerFactory.getLogger(TargetReconciler.class);
  private static final Duration RESYNC = Duration.ofMinutes(10);
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final int MAX_DRIFT = 20;
  private static final List<String> NATIVE_CRDS = List.of("truststores.trustsync.io", "trustpolicies.trustsync.io");

  /** Degraded: applied, but the admission controller that reads the objects reports that it rejected them. */
  public enum State { Applying, Synced, Drifted, Failed, Unreachable, Degraded }

  /** Told what happens in the clusters: metrics, events, benchmarks and the demo hook in here. */
  public interface Observer {
    default void applied(String distribution, String cluster, String revision, Instant commitTime) {}

    default void driftDetected(String distribution, String cluster, String object, String change, List<String> fields, boolean willCorrect) {}

    default void driftCorrected(String distribution, String cluster, String object, Duration sinceDetected) {}
  }

  private final MemberDirectory members;
  private final MemberConnections connections;
  private final AcceptedRevisions revisions;
  private final Renderings renderings;
  private final TrustSyncMetrics metrics;
  private final EventRecorder events;
  private final MemberWatches watches = new MemberWatches();
  private final List<Observer> observers = new CopyOnWriteArrayList<>();
  /** Member clients that have their namespace and CRDs: checked once per client, namespace and profile. */
  private final Set<String> prepared = ConcurrentHashMap.newKeySet();
  private volatile SimpleInboundEventSource<TrustDistributionTarget> triggers = new SimpleInboundEventSource<>("target-triggers");

  public TargetReconciler(MemberDirectory members, MemberConnections connections, AcceptedRevisions revisions, Renderings renderings,
      TrustSyncMetrics metrics, EventRecorder events) {
    this.members = members;
    this.connections = connections;
    this.revisions = revisions;
    this.renderings = renderings;
    this.metrics = metrics;
    this.events = events;
  }

  public void addObserver(Observer observer) {
    observers.add(observer);
  }

  /** Targets by the source (namespace/name) and the member (namespace/name) they use: who to wake when those change. */
  private final Map<String, Set<ResourceID>> bySource = new ConcurrentHashMap<>();
  private final Map<String, Set<ResourceID>> byMember = new ConcurrentHashMap<>();

  private void index(TrustDistributionTarget target) {
    ResourceID id = ResourceID.fromResource(target);
    String namespace = target.getMetadata().getNamespace();
    bySource.computeIfAbsent(namespace + "/" + target.getSpec().source, k -> ConcurrentHashMap.newKeySet()).add(id);
    byMember.computeIfAbsent(namespace + "/" + target.getSpec().member, k -> ConcurrentHashMap.newKeySet()).add(id);
  }

  private void unindex(TrustDistributionTarget target) {
    ResourceID id = ResourceID.fromResource(target);
    bySource.values().forEach(ids -> ids.remove(id));
    byMember.values().forEach(ids -> ids.remove(id));
  }

  /** A source's accepted revision changed (or was restored): its targets may proceed. */
  public void sourceChanged(String sourceKey) {
    bySource.getOrDefault(sourceKey, Set.of()).forEach(id -> triggers.propagateEvent(id));
  }

  /** A member's reachability changed: its targets try again at once. */
  public void memberChanged(String memberKey) {
    byMember.getOrDefault(memberKey, Set.of()).forEach(id -> triggers.propagateEvent(id));
  }

  @Override
  public List<EventSource<?, TrustDistributionTarget>> prepareEventSources(EventSourceContext<TrustDistributionTarget> context) {
    watches.clear(); // a new controller run: the old one's dynamic watches went with it
    prepared.clear();
    constraintCrds.clear();
    triggers = new SimpleInboundEventSource<>("target-triggers");
    return List.of(triggers);
  }

  public static String key(TrustDistributionTarget target) {
    return target.getMetadata().getNamespace() + "/" + target.getMetadata().getName();
  }

  @Override
  public UpdateControl<TrustDistributionTarget> reconcile(TrustDistributionTarget target, Context<TrustDistributionTarget> context) {
    Instant started = Instant.now();
    try {
      return reconcileTarget(target, context);
    } finally {
      metrics.reconcile("trustdistributiontarget", Duration.between(started, Instant.now()));
    }
  }

  /** What one pass found and did, turned into status at the end. */
  private static final class Pass {
    State state = State.Applying;
    String message;
    String appliedRevision;
    String appliedDigest;
    String appliedNamespace;
    boolean synced;
    List<InventoryEntry> inventory;
    List<TrustDistributionTargetStatus.EnforcementStatus> enforcement;
    final List<TrustDistributionStatus.DriftStatus> drift = new ArrayList<>();
    /** "object|change" of the drift already reported: an event goes out only for drift not seen before. */
    final Set<String> known = new HashSet<>();
    Duration reschedule = RESYNC;
  }

  private UpdateControl<TrustDistributionTarget> reconcileTarget(TrustDistributionTarget target, Context<TrustDistributionTarget> context) {
    TrustDistributionTargetSpec spec = target.getSpec();
    TrustDistributionTargetStatus previous = target.getStatus() != null ? target.getStatus() : new TrustDistributionTargetStatus();
    String namespace = target.getMetadata().getNamespace();
    String key = key(target);
    String distributionKey = namespace + "/" + spec.distribution;
    String distributionLabel = io.trustsync.rendering.Ownership.distributionLabel(namespace, spec.distribution);
    watches.remember(distributionLabel, namespace, spec.distribution);
    Pass pass = new Pass();
    pass.appliedRevision = previous.appliedRevision;
    pass.appliedDigest = previous.appliedDigest;
    pass.appliedNamespace = previous.appliedNamespace;
    pass.inventory = previous.inventory == null ? new ArrayList<>() : new ArrayList<>(previous.inventory);
    pass.enforcement = previous.enforcement;
    if (previous.drift != null) {
      previous.drift.forEach(d -> pass.known.add(d.object + "|" + d.change));
    }

    MemberCluster member = members.get(namespace, spec.member).orElse(null);
    Profile profile = Profile.of(spec.profile).orElse(Profile.NATIVE);
    // the current revision, or the one before it: a staged roll-out holds later stages there
    AcceptedRevision revision = revisions.get(namespace + "/" + spec.source, spec.revision).orElse(null);
    index(target);
    KubernetesClient client = null;
    if (member == null) {
      fail(pass, State.Failed, "MemberCluster " + spec.member + " does not exist");
    } else if (member.getStatus() != null && Boolean.FALSE.equals(member.getStatus().reachable)) {
      // the probe says it is down: no request until it says otherwise (and triggers this target)
      fail(pass, State.Unreachable, member.getStatus().message == null ? "API server unreachable" : member.getStatus().message);
      pass.reschedule = Duration.ofSeconds(30);
    } else if (revision == null || !revision.revision().equals(spec.revision)) {
      if (previous.state != null && spec.revision.equals(previous.appliedRevision)) {
        // the cluster holds this revision already (a restart, before the source is loaded): nothing changed for it
        pass.state = State.valueOf(previous.state);
        pass.message = previous.message;
      } else {
        pass.state = State.Applying;
        pass.message = "waiting for revision " + shortRev(spec.revision) + " of PolicySource " + spec.source;
      }
      pass.reschedule = WAIT;
    } else {
      try {
        client = connections.connect(member);
      } catch (MemberConnections.MemberConfigurationException e) {
        fail(pass, State.Failed, e.getMessage());
        pass.reschedule = Duration.ofSeconds(30);
      }
    }
    if (client != null) {
      AcceptedEnvironment environment = revision.environments().get(spec.environment);
      if (environment == null) {
        fail(pass, State.Failed, "revision " + shortRev(spec.revision) + " has no environment '" + spec.environment + "'");
      } else {
        sync(target, context, pass, client, member, revision, environment, profile, distributionLabel);
      }
    }
    TrustDistributionTargetStatus status = status(target, previous, pass);
    if (!Objects.equals(previous.state, status.state) || !Objects.equals(previous.appliedRevision, status.appliedRevision)) {
      metrics.syncState(distributionKey, spec.member, status.state);
    }
    // an event when a cluster's state changes; the revision it runs is in status, not an event per cluster per commit
    if (!Objects.equals(previous.state, status.state)) {
      boolean bad = status.state.equals("Failed") || status.state.equals("Unreachable") || status.state.equals("Drifted")
          || status.state.equals("Degraded");
      String message = "cluster " + spec.member + " is " + status.state
          + (status.appliedRevision == null ? "" : " at " + shortRev(status.appliedRevision))
          + (status.message == null ? "" : ": " + status.message);
      if (bad) {
        events.warning(target, "Cluster" + status.state, message);
      } else {
        events.normal(target, "Cluster" + status.state, message);
      }
    }
    metrics.driftedObjects(distributionKey, spec.member, pass.drift.size());
    if (status.enforcement != null) {
      status.enforcement.forEach(e -> metrics.enforcement(distributionKey, spec.member, e.scope, e.action, e.totalViolations));
    }
    UpdateControl<TrustDistributionTarget> control;
    if (sameStatus(previous, status)) {
      control = UpdateControl.noUpdate();
    } else {
      target.setStatus(status);
      control = UpdateControl.patchStatus(target);
    }
    return control.rescheduleAfter(pass.reschedule.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void sync(TrustDistributionTarget target, Context<TrustDistributionTarget> context, Pass pass, KubernetesClient client,
      MemberCluster member, AcceptedRevision revision, AcceptedEnvironment environment, Profile profile, String distributionLabel) {
    TrustDistributionTargetSpec spec = target.getSpec();
    String key = key(target);
    String memberKey = MemberConnections.key(member);
    String clientId = Integer.toHexString(System.identityHashCode(client));
    ProfileOptions.Result options = ProfileOptions.of(spec.ratify);
    if (options.error() != null) {
      fail(pass, State.Failed, options.error());
      return;
    }
    Renderings.Rendered rendered = Renderings.withEnforcement(
        renderings.of(revision, environment, profile, options.options(), spec.targetNamespace, distributionLabel),
        spec.enforcement, distributionLabel, spec.environment);
    boolean correct = !"report".equals(spec.driftMode);
    boolean prune = spec.prune == null || spec.prune;
    boolean suspend = Boolean.TRUE.equals(spec.suspend);
    boolean newContent = !rendered.digest().equals(pass.appliedDigest) || !spec.targetNamespace.equals(pass.appliedNamespace);
    try {
      if (!suspend && newContent) {
        prepare(client, clientId, spec.targetNamespace, profile);
      }
      if (spec.enforcement != null && !spec.enforcement.isEmpty() && !constraintKindInstalled(client, clientId)) {
        fail(pass, State.Failed, "spec.enforcement needs Gatekeeper's " + GatekeeperConstraint.KIND.kind() + " kind in cluster " + spec.member
            + ", and it is not installed (no CRD " + GatekeeperConstraint.KIND.plural() + "." + GatekeeperConstraint.KIND.group()
            + "): install Gatekeeper and Ratify's ConstraintTemplate (library/default/template.yaml of Ratify v1), or remove spec.enforcement");
        pass.reschedule = Duration.ofSeconds(15); // looked for again: nothing tells the hub when Gatekeeper arrives
        return;
      }
      // observe
      Map<String, io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource<GenericKubernetesResource, TrustDistributionTarget>> byKind =
          new LinkedHashMap<>();
      Set<String> watchNames = new HashSet<>();
      for (RenderedObject object : rendered.objects()) {
        RenderedKind kind = RenderedKind.of(object.apiVersion(), object.kind());
        watchNames.add(MemberWatches.name(memberKey, clientId, kind, spec.targetNamespace));
        byKind.computeIfAbsent(kind.kind(), k -> watches.watch(context, memberKey, clientId, client, kind, spec.targetNamespace, key));
      }
      Instant changeSeen = watches.takeLastChange(key).orElse(Instant.now());
      Map<String, GenericKubernetesResource> live = new LinkedHashMap<>();
      List<RenderedObject> toApply = new ArrayList<>();
      for (RenderedObject object : rendered.objects()) {
        var watch = byKind.get(object.kind());
        GenericKubernetesResource current = watch.get(new ResourceID(object.name(), object.namespace())).orElse(null);
        if (current != null) {
          live.put(object.id(), current);
        }
        if (newContent) {
          // new content for the cluster, but only the objects whose content changed are written:
          // a commit that changes the policy does not rewrite every trust store
          if (current == null || !LiveComparison.differences(object, current).isEmpty()) {
            toApply.add(object);
          }
          continue;
        }
        if (current == null) {
          driftSeen(target, pass, spec, object.id(), "Deleted", List.of("/"), changeSeen, correct && !suspend);
          if (correct) {
            toApply.add(object);
          }
        } else {
          List<String> fields = LiveComparison.differences(object, current);
          if (!fields.isEmpty()) {
            driftSeen(target, pass, spec, object.id(), "Modified", fields, changeSeen, correct && !suspend);
            if (correct) {
              toApply.add(object);
            }
          }
        }
      }
      // objects with this distribution's label that are not rendered, in the namespace watched
      Set<String> desiredIds = new HashSet<>();
      rendered.objects().forEach(o -> desiredIds.add(o.id()));
      List<GenericKubernetesResource> extra = new ArrayList<>();
      for (var watch : byKind.values()) {
        watch.list(spec.targetNamespace, o -> distributionLabel.equals(o.getMetadata().getLabels().get(TargetNames.DISTRIBUTION_LABEL)))
            .filter(o -> !desiredIds.contains(id(o))).forEach(extra::add);
      }
      List<InventoryEntry> unwanted = pass.inventory.stream().filter(e -> !desiredIds.contains(e.id())).toList();
      if (!newContent) {
        for (GenericKubernetesResource object : extra) {
          if (unwanted.stream().noneMatch(e -> e.id().equals(id(object)))) {
            driftSeen(target, pass, spec, id(object), "Extra", List.of(), changeSeen, correct && prune && !suspend);
          }
        }
      }
      if (suspend) {
        pass.state = pass.drift.isEmpty() ? (newContent ? State.Applying : State.Synced) : State.Drifted;
        pass.message = "suspended: nothing is applied or corrected";
        return;
      }
      // act: nothing is written unless something differs
      List<InventoryEntry> inventory = new ArrayList<>();
      Map<String, String> uids = new LinkedHashMap<>();
      live.forEach((id, object) -> uids.put(id, object.getMetadata().getUid()));
      for (RenderedObject object : toApply) {
        GenericKubernetesResource seen = live.get(object.id());
        if (seen == null) {
          refuseForeign(client, object, distributionLabel, spec.member, pass.inventory);
        } else if (!ours(seen, distributionLabel, object, pass.inventory)) {
          // the watch selects on the label's key: another distribution's object of the same name shows up too
          throw foreign(object, spec.member, distributionLabel);
        }
        GenericKubernetesResource applied = operation(client, RenderedKind.of(object.apiVersion(), object.kind()), object.namespace())
            .resource(io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().convertValue(object.manifest(), GenericKubernetesResource.class))
            .fieldManager(LiveComparison.FIELD_MANAGER).forceConflicts().serverSideApply();
        uids.put(object.id(), applied.getMetadata().getUid());
      }
      for (RenderedObject object : rendered.objects()) {
        inventory.add(new InventoryEntry(object.apiVersion(), object.kind(), object.namespace(), object.name(), uids.get(object.id())));
      }
      boolean removedExtra = false;
      if (prune) {
        for (InventoryEntry entry : unwanted) {
          delete(client, entry);
        }
        if (correct) {
          for (GenericKubernetesResource object : extra) {
            delete(client, new InventoryEntry(object.getApiVersion(), object.getKind(), object.getMetadata().getNamespace(),
                object.getMetadata().getName(), object.getMetadata().getUid()));
            removedExtra = true;
          }
        }
      } else {
        unwanted.forEach(inventory::add); // left in place, still ours
      }
      // watches of a namespace or kind this target no longer renders go
      watches.release(context, key, watchNames);
      boolean wrote = !toApply.isEmpty() || removedExtra;
      pass.inventory = inventory;
      pass.appliedNamespace = spec.targetNamespace;
      boolean reported = !correct && !pass.drift.isEmpty();
      pass.state = reported ? State.Drifted : State.Synced;
      pass.synced = !reported;
      pass.message = reported ? pass.drift.size() + " object(s) differ from Git; drift mode is report"
          : "revision " + shortRev(spec.revision) + " applied (" + rendered.objects().size() + " objects)";
      if (!reported) {
        consumerVerdict(pass, rendered.objects(), live, toApply);
      }
      Set<String> writtenIds = new HashSet<>();
      toApply.forEach(o -> writtenIds.add(o.id()));
      pass.enforcement = EnforcementReports.of(spec.enforcement, live, writtenIds, pass.enforcement, Instant.now());
      if (newContent) {
        String before = pass.appliedRevision;
        pass.appliedDigest = rendered.digest();
        pass.appliedRevision = spec.revision;
        if (!spec.revision.equals(before)) {
          Instant now = Instant.now();
          metrics.lastSync(namespaceKey(target), spec.member, now);
          metrics.propagation(namespaceKey(target), Duration.between(revision.commitTime(), now));
          observers.forEach(o -> o.applied(namespaceKey(target), spec.member, spec.revision, revision.commitTime()));
        }
      } else {
        pass.appliedRevision = spec.revision; // same content: this revision is what the cluster holds
        if (wrote && correct) {
          Duration since = Duration.between(changeSeen, Instant.now());
          metrics.driftLatency("correction", since);
          for (var drift : pass.drift) {
            events.normal(target, "DriftCorrected", drift.object + " in cluster " + spec.member + " put back to the Git revision");
            observers.forEach(o -> o.driftCorrected(namespaceKey(target), spec.member, drift.object, since));
          }
          pass.drift.clear();
        }
      }
      if (wrote || pass.synced) {
        metrics.lastSync(namespaceKey(target), spec.member, Instant.now());
      }
    } catch (ForeignObjectException e) {
      fail(pass, State.Failed, e.getMessage());
      // the other object is not watched (not labelled ours): look again, as after any failure
      pass.reschedule = Duration.ofSeconds(15);
    } catch (KubernetesClientException e) {
      boolean unreachable = io.trustsync.operator.member.MemberErrors.unreachable(e);
      if (io.trustsync.operator.member.MemberErrors.fenced(e)) {
        throw e; // not (surely) the leader: write nothing, report nothing, retry later
      }
      fail(pass, unreachable ? State.Unreachable : State.Failed, io.trustsync.operator.member.MemberErrors.describe(e));
      pass.reschedule = Duration.ofSeconds(unreachable ? 5 : 15);
    }
  }

  private void driftSeen(TrustDistributionTarget target, Pass pass, TrustDistributionTargetSpec spec, String object, String change,
      List<String> fields, Instant seen, boolean willCorrect) {
    if (pass.known.add(object + "|" + change)) {
      events.warning(target, "DriftDetected", change + " " + object + " in cluster " + spec.member
          + (fields.isEmpty() ? "" : " (fields " + String.join(", ", fields) + ")")
          + (willCorrect ? "; correcting" : "; drift mode is report, leaving it"));
    }
    if (pass.drift.size() < MAX_DRIFT) {
      TrustDistributionStatus.DriftStatus drift = new TrustDistributionStatus.DriftStatus();
      drift.object = object;
      drift.change = change;
      drift.fields = List.copyOf(fields);
      drift.detectedAt = seen.truncatedTo(ChronoUnit.SECONDS).toString();
      pass.drift.add(drift);
    }
    metrics.driftEvent(namespaceKey(target), spec.member, change);
    metrics.driftLatency("detection", Duration.between(seen, Instant.now()));
    observers.forEach(o -> o.driftDetected(spec.distribution, spec.member, object, change, fields, willCorrect));
  }

  /** The target namespace exists and, for the native profile, its CRDs: once per client, namespace and profile. */
  private void prepare(KubernetesClient client, String clientId, String namespace, Profile profile) {
    String key = clientId + "|" + namespace + "|" + profile.id();
    if (prepared.contains(key)) {
      return;
    }
    if (profile == Profile.NATIVE) {
      var crds = client.apiextensions().v1().customResourceDefinitions();
      for (String name : NATIVE_CRDS) {
        if (crds.withName(name).get() == null) {
          crds.resource(BundledCrds.load(name)).create();
          crds.withName(name).waitUntilCondition(BundledCrds::established, 20, TimeUnit.SECONDS);
          LOG.info("installed CRD {} in a member", name);
        }
      }
    }
    if (client.namespaces().withName(namespace).get() == null) {
      try {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    prepared.add(key);
  }

  /** Constraint CRDs seen, by client: Gatekeeper makes the CRD from Ratify's ConstraintTemplate, and it is looked for until found. */
  private final Set<String> constraintCrds = ConcurrentHashMap.newKeySet();

  private boolean constraintKindInstalled(KubernetesClient client, String clientId) {
    if (constraintCrds.contains(clientId)) {
      return true;
    }
    String name = GatekeeperConstraint.KIND.plural() + "." + GatekeeperConstraint.KIND.group();
    var crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
    if (crd == null || !BundledCrds.established(crd)) {
      return false;
    }
    constraintCrds.add(clientId);
    return true;
  }

  /** Deletes one inventory object, only if it is still the one applied (same UID). */
  private static void delete(KubernetesClient client, InventoryEntry entry) {
    RenderedKind kind;
    try {
      kind = RenderedKind.of(entry.apiVersion, entry.kind);
    } catch (IllegalStateException e) {
      return;
    }
    try {
      var resource = operation(client, kind, entry.namespace).withName(entry.name);
      GenericKubernetesResource live = resource.get();
      if (live != null && (entry.uid == null || entry.uid.equals(live.getMetadata().getUid()))) {
        resource.delete();
        LOG.info("pruned {}", entry.id());
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  @Override
  public DeleteControl cleanup(TrustDistributionTarget target, Context<TrustDistributionTarget> context) {
    TrustDistributionTargetSpec spec = target.getSpec();
    String key = key(target);
    boolean prune = spec == null || spec.prune == null || spec.prune;
    MemberCluster member = spec == null ? null : members.get(target.getMetadata().getNamespace(), spec.member).orElse(null);
    List<InventoryEntry> inventory = target.getStatus() == null || target.getStatus().inventory == null ? List.of() : target.getStatus().inventory;
    if (member != null && prune && !inventory.isEmpty()) {
      try {
        KubernetesClient client = connections.connect(member);
        for (InventoryEntry entry : inventory) {
          delete(client, entry);
        }
        events.normal(target, "ClusterDeselected", "cluster " + spec.member + " no longer selected; its " + inventory.size() + " objects were deleted");
      } catch (MemberConnections.MemberConfigurationException e) {
        LOG.warn("{}: cannot reach member {} to delete its objects ({}); leaving them", key, spec.member, e.getMessage());
      } catch (KubernetesClientException e) {
        if (io.trustsync.operator.member.MemberErrors.fenced(e)) {
          throw e;
        }
        LOG.info("{}: deleting the objects in {} failed ({}); retrying", key, spec.member, io.trustsync.operator.member.MemberErrors.describe(e));
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(5_000);
      }
    }
    watches.release(context, key, Set.of());
    unindex(target);
    if (spec != null) {
      metrics.forgetCluster(namespaceKey(target), spec.member);
    }
    return DeleteControl.defaultDelete();
  }

  private static String namespaceKey(TrustDistributionTarget target) {
    return target.getMetadata().getNamespace() + "/" + target.getSpec().distribution;
  }

  /**
   * Ready only when the consumer accepted what was applied: each object's own status (Ratify's)
   * decides. Objects written in this pass carry their old status, so they count as pending and
   * are looked at again shortly; a rejection makes the cluster Degraded with the consumer's words.
   */
  private static void consumerVerdict(Pass pass, List<RenderedObject> objects, Map<String, GenericKubernetesResource> live,
      List<RenderedObject> written) {
    Set<String> writtenIds = new HashSet<>();
    written.forEach(o -> writtenIds.add(o.id()));
    int pending = 0;
    boolean justWritten = false;
    for (RenderedObject object : objects) {
      RenderedKind kind = RenderedKind.of(object.apiVersion(), object.kind());
      if (!ConsumerStatus.reportedOn(kind)) {
        continue;
      }
      if (writtenIds.contains(object.id())) {
        pending++;
        justWritten = true;
        continue;
      }
      GenericKubernetesResource current = live.get(object.id());
      @SuppressWarnings("unchecked")
      Map<String, Object> status = current != null && current.getAdditionalProperties().get("status") instanceof Map<?, ?> m
          ? (Map<String, Object>) m : null;
      ConsumerStatus verdict = ConsumerStatus.of(kind, status);
      if (verdict.verdict() == ConsumerStatus.Verdict.REJECTED) {
        pass.state = State.Degraded;
        pass.synced = false;
        pass.message = object.kind() + " " + object.name() + ": " + verdict.message();
        pass.reschedule = Duration.ofSeconds(30);
        return;
      }
      if (verdict.verdict() == ConsumerStatus.Verdict.PENDING) {
        pending++;
      }
    }
    if (pending > 0) {
      pass.state = State.Applying;
      pass.synced = false;
      pass.message = pass.message + "; waiting for Ratify to report on " + pending + " of them";
      // a status Ratify writes arrives on the watch; this is the fallback when it rewrites an unchanged one
      pass.reschedule = justWritten ? Duration.ofSeconds(3) : Duration.ofSeconds(30);
    }
  }

  /** An object of the same kind and name exists in the member and is not this distribution's. */
  static final class ForeignObjectException extends RuntimeException {
    ForeignObjectException(String message) {
      super(message);
    }
  }

  /**
   * Never takes over an object it did not write: before writing an object its watch does not
   * show, reads it; one that exists without this distribution's label, and is not the one in the
   * inventory (a label removed by hand is drift, and is put back), stops the apply.
   */
  private static void refuseForeign(KubernetesClient client, RenderedObject object, String distributionLabel, String member,
      List<InventoryEntry> inventory) {
    GenericKubernetesResource existing = operation(client, RenderedKind.of(object.apiVersion(), object.kind()), object.namespace())
        .withName(object.name()).get();
    if (existing == null) {
      return;
    }
    if (!ours(existing, distributionLabel, object, inventory)) {
      throw foreign(object, member, distributionLabel);
    }
  }

  /** Labelled this distribution's, or the very object (same UID) its inventory holds. */
  private static boolean ours(GenericKubernetesResource existing, String distributionLabel, RenderedObject object, List<InventoryEntry> inventory) {
    Map<String, String> labels = existing.getMetadata().getLabels() == null ? Map.of() : existing.getMetadata().getLabels();
    String owner = labels.get(TargetNames.DISTRIBUTION_LABEL);
    if (owner != null && !owner.equals(distributionLabel)) {
      return false; // another distribution's, whatever an inventory says
    }
    return distributionLabel.equals(owner)
        || inventory.stream().anyMatch(e -> e.id().equals(object.id()) && Objects.equals(e.uid, existing.getMetadata().getUid()));
  }

  private static ForeignObjectException foreign(RenderedObject object, String member, String distributionLabel) {
    return new ForeignObjectException(object.kind() + " " + (object.namespace() == null ? "" : object.namespace() + "/") + object.name()
        + " already exists in cluster " + member + " and is not this distribution's (no label " + TargetNames.DISTRIBUTION_LABEL + "="
        + distributionLabel + "); TrustSync does not take over objects it did not write: rename or delete that object, or choose another targetNamespace");
  }

  private static void fail(Pass pass, State state, String message) {
    pass.state = state;
    pass.message = message;
  }

  private TrustDistributionTargetStatus status(TrustDistributionTarget target, TrustDistributionTargetStatus previous, Pass pass) {
    TrustDistributionTargetStatus status = new TrustDistributionTargetStatus();
    status.observedGeneration = target.getMetadata().getGeneration();
    status.state = pass.state.name();
    status.message = pass.message;
    status.appliedRevision = pass.appliedRevision;
    status.appliedDigest = pass.appliedDigest;
    status.appliedNamespace = pass.appliedNamespace;
    status.inventory = pass.inventory;
    status.enforcement = pass.enforcement;
    status.drift = pass.drift;
    status.lastSyncTime = pass.state == State.Synced
        ? (Objects.equals(previous.state, "Synced") && previous.lastSyncTime != null ? previous.lastSyncTime
            : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
        : previous.lastSyncTime;
    boolean synced = pass.state == State.Synced;
    boolean stalled = pass.state == State.Failed || pass.state == State.Degraded;
    status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
        .set(Conditions.READY, synced, pass.state.name(), pass.message)
        .set(Conditions.RECONCILING, !synced && !stalled, pass.state.name(), synced || stalled ? "" : pass.message)
        .set(Conditions.STALLED, stalled, pass.state.name(), stalled ? pass.message : "")
        .set(Conditions.DRIFTED, !pass.drift.isEmpty(), pass.drift.isEmpty() ? "InSync" : "Drifted",
            pass.drift.isEmpty() ? "" : pass.drift.size() + " object(s) differ from Git")
        .build();
    return status;
  }

  private static boolean sameStatus(TrustDistributionTargetStatus a, TrustDistributionTargetStatus b) {
    var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    return mapper.valueToTree(a).equals(mapper.valueToTree(b));
  }

  static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
      io.fabric8.kubernetes.api.model.GenericKubernetesResourceList, io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
      operation(KubernetesClient client, RenderedKind kind, String namespace) {
    var resources = client.genericKubernetesResources(context(kind));
    return kind.namespaced() && namespace != null ? resources.inNamespace(namespace) : resources;
  }

  static ResourceDefinitionContext context(RenderedKind kind) {
    return new ResourceDefinitionContext.Builder().withGroup(kind.group()).withVersion(kind.version()).withKind(kind.kind())
        .withPlural(kind.plural()).withNamespaced(kind.namespaced()).build();
  }

  static String id(GenericKubernetesResource resource) {
    String namespace = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    return namespace == null ? resource.getKind() + "/" + name : resource.getKind() + "/" + namespace + "/" + name;
  }

  static String shortRev(String revision) {
    return revision != null && revision.length() > 12 ? revision.substring(0, 12) : String.valueOf(revision);
  }
}
