package io.trustsync.operator.distribution;

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
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionSpec;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.operator.EventRecorder;
import io.trustsync.operator.SpecOrRequestFilter;
import io.trustsync.operator.TrustSyncMetrics;
import io.trustsync.operator.member.MemberConnections;
import io.trustsync.operator.member.MemberDirectory;
import io.trustsync.operator.source.AcceptedRevision;
import io.trustsync.operator.source.AcceptedRevisions;
import io.trustsync.rendering.Profile;
import io.trustsync.rendering.RenderRequest;
import io.trustsync.rendering.Rendering;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.Finding;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Renders the accepted revision of a distribution's source for its environment and profile and
 * hands it to one {@link ClusterSync} per selected member cluster; then reads their snapshots
 * back into status. Clusters proceed independently: this reconcile never waits on a cluster.
 */
@ControllerConfiguration(name = "trustdistribution", generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrRequestFilter.class))
public final class TrustDistributionReconciler implements Reconciler<TrustDistribution>, Cleaner<TrustDistribution> {
  private static final Duration RESYNC = Duration.ofMinutes(5);
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final MemberDirectory members;
  private final MemberConnections connections;
  private final AcceptedRevisions revisions;
  private final TrustSyncMetrics metrics;
  private final EventRecorder events;
  private final List<ClusterSync.Observer> listeners;
  /** New for every start of the reconcilers: an event source belongs to one controller run. */
  private volatile SimpleInboundEventSource<TrustDistribution> triggers = new SimpleInboundEventSource<>("distribution-triggers");
  /** "distribution key|member key" -> worker. */
  private final Map<String, ClusterSync> syncs = new ConcurrentHashMap<>();
  private final Map<String, Set<ResourceID>> distributionsByNamespace = new ConcurrentHashMap<>();
  private final Map<String, String> renderingWarningsSeen = new ConcurrentHashMap<>();
  /** Renderings of the current revision, per distribution and target namespace: status updates re-run reconcile often. */
  private final Map<String, Rendering> renderings = new ConcurrentHashMap<>();

  public TrustDistributionReconciler(MemberDirectory members, MemberConnections connections, AcceptedRevisions revisions,
      TrustSyncMetrics metrics, EventRecorder events) {
    this.members = members;
    this.connections = connections;
    this.revisions = revisions;
    this.metrics = metrics;
    this.events = events;
    this.listeners = new CopyOnWriteArrayList<>();
    members.onChange(this::triggerNamespace);
    revisions.onChange(source -> triggerNamespace(source.substring(0, source.indexOf('/'))));
  }

  /** Benchmarks and tests listen to every cluster's drift and apply events here. */
  public void addListener(ClusterSync.Observer listener) {
    listeners.add(listener);
  }

  @Override
  public List<EventSource<?, TrustDistribution>> prepareEventSources(EventSourceContext<TrustDistribution> context) {
    triggers = new SimpleInboundEventSource<>("distribution-triggers");
    return List.of(triggers);
  }

  private void triggerNamespace(String namespace) {
    distributionsByNamespace.getOrDefault(namespace, Set.of()).forEach(triggers::propagateEvent);
  }

  @Override
  public UpdateControl<TrustDistribution> reconcile(TrustDistribution distribution, Context<TrustDistribution> context) {
    Instant started = Instant.now();
    try {
      return reconcileDistribution(distribution);
    } finally {
      metrics.reconcile("trustdistribution", Duration.between(started, Instant.now()));
    }
  }

  private UpdateControl<TrustDistribution> reconcileDistribution(TrustDistribution distribution) {
    String namespace = distribution.getMetadata().getNamespace();
    String key = key(distribution);
    distributionsByNamespace.computeIfAbsent(namespace, n -> ConcurrentHashMap.newKeySet()).add(ResourceID.fromResource(distribution));
    TrustDistributionSpec spec = distribution.getSpec();
    Profile profile = Profile.of(spec.profile == null ? "native" : spec.profile).orElse(null);
    if (profile == null) {
      return patch(distribution, DistributionStatus.blocked(distribution, true, "InvalidSpec",
          "spec.profile '" + spec.profile + "' is not one of " + Profile.names()), RESYNC);
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
    boolean suspend = Boolean.TRUE.equals(spec.suspend);
    boolean prune = spec.prune == null || spec.prune;
    boolean correct = spec.driftMode == null || spec.driftMode.equals("correct");
    String label = labelValue(distribution);
    Map<String, String> extraLabels = Map.of(ClusterSync.DISTRIBUTION_LABEL, label);

    List<MemberCluster> selected = members.select(namespace, spec.clusterSelector);
    Set<String> wanted = new HashSet<>();
    Map<String, String> configurationErrors = new LinkedHashMap<>();
    List<ClusterSync.Snapshot> snapshots = new ArrayList<>();
    String renderKey = key + "|" + revision.revision() + "|" + profile.id() + "|" + spec.environment + "|";
    renderings.keySet().removeIf(k -> k.startsWith(key + "|") && !k.startsWith(renderKey));
    Map<String, Rendering> used = new LinkedHashMap<>();
    for (MemberCluster member : selected) {
      String memberName = member.getMetadata().getName();
      String syncKey = key + "|" + MemberConnections.key(member);
      KubernetesClient client;
      try {
        // The MemberCluster probe re-reads the kubeconfig Secret; here the connection it made is
        // enough, so a reconcile does not read every member's Secret from the hub again.
        var existing = connections.current(MemberConnections.key(member));
        client = existing.isPresent() ? existing.get() : connections.connect(member);
      } catch (MemberConnections.MemberConfigurationException e) {
        configurationErrors.put(memberName, e.getMessage());
        continue;
      }
      String targetNamespace = spec.targetNamespace.replace("${cluster}", memberName);
      if (connections.isHub(member) && !connections.access().tenancy().isPlatform(namespace) && !targetNamespace.equals(namespace)) {
        // a tenant's hub member writes with the operator's identity: only into the tenant's own namespace
        configurationErrors.put(memberName, "cluster " + memberName + " is the hub; a distribution in tenant namespace " + namespace
            + " may write to the hub only in its own namespace: set targetNamespace: " + namespace);
        continue;
      }
      wanted.add(syncKey);
      Rendering rendering = renderings.computeIfAbsent(renderKey + targetNamespace, k -> profile.render(
          new RenderRequest(spec.environment, environment.policy(), environment.stores(), revision.revision(), targetNamespace, extraLabels)));
      used.putIfAbsent(targetNamespace, rendering);
      DesiredState desired = new DesiredState(revision.revision(), revision.commitTime(), targetNamespace,
          profile == Profile.NATIVE, rendering.objects(), correct, prune, suspend);
      ClusterSync sync = syncs.get(syncKey);
      if (sync != null && sync.client() != client) {
        sync.close(); // the kubeconfig Secret changed: start over with the new credentials
        sync = null;
      }
      if (sync == null) {
        sync = new ClusterSync(memberName, label, client, observer(distribution), previousNamespace(distribution, memberName));
        syncs.put(syncKey, sync);
      }
      // A member seen reachable again while its worker is backing off: retry at once.
      boolean backAgain = sync.snapshot().state() == ClusterSync.State.Unreachable
          && member.getStatus() != null && Boolean.TRUE.equals(member.getStatus().reachable);
      sync.update(desired, backAgain);
      snapshots.add(sync.snapshot());
    }
    for (String syncKey : List.copyOf(syncs.keySet())) {
      if (syncKey.startsWith(key + "|") && !wanted.contains(syncKey)) {
        ClusterSync gone = syncs.remove(syncKey);
        if (prune) {
          gone.deleteOwned(spec.targetNamespace.replace("${cluster}", gone.snapshot().cluster()));
        }
        gone.close();
        metrics.forgetCluster(key, gone.snapshot().cluster());
        events.normal(distribution, "ClusterDeselected", "cluster " + gone.snapshot().cluster() + " no longer selected"
            + (prune ? "; its objects were deleted" : ""));
      }
    }
    reportRenderingWarnings(distribution, revision, used.values());
    TrustDistributionStatus status = DistributionStatus.of(distribution, revision.revision(), snapshots, configurationErrors, suspend);
    recordTransitions(distribution, status);
    return patch(distribution, status, RESYNC);
  }

  private ClusterSync.Observer observer(TrustDistribution distribution) {
    String key = key(distribution);
    ResourceID id = ResourceID.fromResource(distribution);
    return new ClusterSync.Observer() {
      @Override
      public void stateChanged(String cluster, ClusterSync.Snapshot snapshot) {
        metrics.syncState(key, cluster, snapshot.state().name());
        metrics.driftedObjects(key, cluster, snapshot.drift().size());
        triggers.propagateEvent(id);
        listeners.forEach(l -> l.stateChanged(cluster, snapshot));
      }

      @Override
      public void driftDetected(String cluster, ClusterSync.Drift drift, boolean willCorrect) {
        metrics.driftEvent(key, cluster, drift.change());
        events.warning(distribution, "DriftDetected", drift.change() + " " + drift.object() + " in cluster " + cluster
            + (drift.fields().isEmpty() ? "" : " (fields " + String.join(", ", drift.fields()) + ")")
            + (willCorrect ? "; correcting" : "; drift mode is report, leaving it"));
        listeners.forEach(l -> l.driftDetected(cluster, drift, willCorrect));
      }

      @Override
      public void driftCorrected(String cluster, ClusterSync.Drift drift, Duration sinceDetected) {
        metrics.driftLatency("correction", sinceDetected);
        events.normal(distribution, "DriftCorrected", drift.object() + " in cluster " + cluster + " put back to the Git revision");
        listeners.forEach(l -> l.driftCorrected(cluster, drift, sinceDetected));
      }

      @Override
      public void applied(String cluster, String revision, Instant commitTime) {
        Instant now = Instant.now();
        metrics.lastSync(key, cluster, now);
        if (commitTime != null) {
          metrics.propagation(key, Duration.between(commitTime, now));
        }
        listeners.forEach(l -> l.applied(cluster, revision, commitTime));
      }
    };
  }

  private void recordTransitions(TrustDistribution distribution, TrustDistributionStatus status) {
    Map<String, String> before = new LinkedHashMap<>();
    if (distribution.getStatus() != null) {
      distribution.getStatus().clusters.forEach(c -> before.put(c.name, c.state + "@" + c.appliedRevision));
    }
    for (TrustDistributionStatus.ClusterStatus cluster : status.clusters) {
      String now = cluster.state + "@" + cluster.appliedRevision;
      if (!now.equals(before.get(cluster.name))) {
        boolean bad = cluster.state.equals("Failed") || cluster.state.equals("Unreachable") || cluster.state.equals("Drifted");
        String message = "cluster " + cluster.name + " is " + cluster.state
            + (cluster.appliedRevision == null ? "" : " at " + cluster.appliedRevision.substring(0, Math.min(12, cluster.appliedRevision.length())))
            + (cluster.message == null ? "" : ": " + cluster.message);
        if (bad) {
          events.warning(distribution, "Cluster" + cluster.state, message);
        } else {
          events.normal(distribution, "Cluster" + cluster.state, message);
        }
      }
    }
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
    if (distribution.getStatus() != null && mapper.valueToTree(distribution.getStatus()).equals(mapper.valueToTree(status))) {
      return UpdateControl.<TrustDistribution>noUpdate().rescheduleAfter(after);
    }
    distribution.setStatus(status);
    return UpdateControl.patchStatus(distribution).rescheduleAfter(after);
  }

  @Override
  public DeleteControl cleanup(TrustDistribution distribution, Context<TrustDistribution> context) {
    String key = key(distribution);
    boolean prune = distribution.getSpec() == null || distribution.getSpec().prune == null || distribution.getSpec().prune;
    for (String syncKey : List.copyOf(syncs.keySet())) {
      if (syncKey.startsWith(key + "|")) {
        ClusterSync sync = syncs.remove(syncKey);
        if (prune) {
          sync.deleteOwned(distribution.getSpec().targetNamespace.replace("${cluster}", sync.snapshot().cluster()));
        }
        sync.close();
        metrics.forgetCluster(key, sync.snapshot().cluster());
      }
    }
    renderings.keySet().removeIf(k -> k.startsWith(key + "|"));
    Set<ResourceID> ids = distributionsByNamespace.get(distribution.getMetadata().getNamespace());
    if (ids != null) {
      ids.remove(ResourceID.fromResource(distribution));
    }
    return DeleteControl.defaultDelete();
  }

  /** Stops every cluster worker (operator shutdown or lost leadership); nothing is deleted. */
  public void stopAll() {
    syncs.forEach((syncKey, sync) -> {
      sync.close();
      // A replica that no longer leads must not keep exporting what it saw while it did.
      metrics.forgetCluster(syncKey.substring(0, syncKey.indexOf('|')), sync.snapshot().cluster());
    });
    syncs.clear();
  }

  /** Where the objects went before a restart, from status: a namespace change then still cleans up. */
  private static String previousNamespace(TrustDistribution distribution, String member) {
    if (distribution.getStatus() == null || distribution.getStatus().clusters == null) {
      return null;
    }
    return distribution.getStatus().clusters.stream().filter(c -> member.equals(c.name)).map(c -> c.namespace)
        .filter(java.util.Objects::nonNull).findFirst().orElse(null);
  }

  public static String key(TrustDistribution distribution) {
    return distribution.getMetadata().getNamespace() + "/" + distribution.getMetadata().getName();
  }

  /** Label values are at most 63 characters; long namespace.name pairs are shortened with a hash. */
  static String labelValue(TrustDistribution distribution) {
    String value = distribution.getMetadata().getNamespace() + "." + distribution.getMetadata().getName();
    if (value.length() <= 63) {
      return value;
    }
    String hash = Integer.toHexString(value.hashCode() & 0x7fffffff);
    return value.substring(0, 62 - hash.length()).replaceAll("[^a-z0-9]+$", "") + "-" + hash;
  }
}
