package io.trustsync.operator.member;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
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
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterStatus;
import io.trustsync.status.Conditions;
import io.trustsync.operator.shared.EventRecorder;
import io.trustsync.operator.SpecOrRequestFilter;
import io.trustsync.operator.shared.GoDuration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** Probes each member cluster: reachable or not, which version, when last seen. */
@ControllerConfiguration(name = "membercluster", generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrRequestFilter.class))
public final class MemberClusterReconciler implements Reconciler<MemberCluster>, Cleaner<MemberCluster> {
  /** Members to probe again at once: their kubeconfig Secret changed (a rotated credential takes effect now). */
  private volatile SimpleInboundEventSource<MemberCluster> triggers = new SimpleInboundEventSource<>("membercluster-triggers");
  /** Each MemberCluster's kubeconfig Secret, "namespace/name", as last reconciled. */
  private final java.util.Map<ResourceID, String> kubeconfigSecrets = new java.util.concurrent.ConcurrentHashMap<>();
  static final Duration DEFAULT_PROBE = Duration.ofSeconds(30);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  static final Duration MIN_PROBE = Duration.ofSeconds(2);

  private final MemberConnections connections;
  private final EventRecorder events;
  private final java.util.function.Consumer<String> reachabilityChanged;
  /** Probes run here, a bounded pool, and are cancelled at their timeout: a dead member holds a thread for 5 s at most. */
  private final java.util.concurrent.ExecutorService probes = java.util.concurrent.Executors.newFixedThreadPool(4,
      Thread.ofPlatform().daemon().name("member-probe").factory());

  /** {@code reachabilityChanged} hears the key (namespace/name) of a member that became reachable or unreachable. */
  public MemberClusterReconciler(MemberConnections connections, EventRecorder events, java.util.function.Consumer<String> reachabilityChanged) {
    this.connections = connections;
    this.events = events;
    this.reachabilityChanged = reachabilityChanged;
  }

  public void close() {
    probes.shutdownNow();
  }

  @Override
  public List<EventSource<?, MemberCluster>> prepareEventSources(EventSourceContext<MemberCluster> context) {
    triggers = new SimpleInboundEventSource<>("membercluster-triggers");
    return List.of(triggers);
  }

  /** A Secret changed: probe at once every member whose kubeconfig it holds. */
  public void secretChanged(String namespace, String name) {
    String secret = namespace + "/" + name;
    kubeconfigSecrets.forEach((member, named) -> {
      if (named.equals(secret)) {
        triggers.propagateEvent(member);
      }
    });
  }

  private void remember(MemberCluster cluster) {
    ResourceID id = ResourceID.fromResource(cluster);
    var spec = cluster.getSpec();
    if (spec != null && spec.kubeconfigSecretRef != null && spec.kubeconfigSecretRef.name != null) {
      kubeconfigSecrets.put(id, cluster.getMetadata().getNamespace() + "/" + spec.kubeconfigSecretRef.name);
    } else {
      kubeconfigSecrets.remove(id);
    }
  }

  @Override
  public UpdateControl<MemberCluster> reconcile(MemberCluster cluster, Context<MemberCluster> context) {
    remember(cluster);
    MemberClusterStatus previous = cluster.getStatus() != null ? cluster.getStatus() : new MemberClusterStatus();
    MemberClusterStatus status = new MemberClusterStatus();
    status.observedGeneration = cluster.getMetadata().getGeneration();
    status.lastContact = previous.lastContact;
    Duration interval;
    try {
      interval = GoDuration.parse(cluster.getSpec() == null ? null : cluster.getSpec().probeInterval, DEFAULT_PROBE);
    } catch (IllegalArgumentException e) {
      interval = DEFAULT_PROBE;
    }
    if (interval.compareTo(MIN_PROBE) < 0) {
      interval = MIN_PROBE; // a tenant's 1ms must not turn a probe into a busy loop
    }
    String reason;
    String message;
    try {
      KubernetesClient client = connections.connect(cluster);
      var probe = probes.submit(client::getKubernetesVersion);
      VersionInfo version;
      try {
        version = probe.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } finally {
        probe.cancel(true);
      }
      status.reachable = true;
      status.serverVersion = kubernetesVersion(version);
      status.lastContact = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      reason = "Reachable";
      message = "API server " + status.serverVersion + " answered";
    } catch (MemberConnections.MemberConfigurationException e) {
      status.reachable = false;
      reason = e.reason();
      message = e.getMessage();
    } catch (java.util.concurrent.TimeoutException e) {
      status.reachable = false;
      reason = "Unreachable";
      message = "API server did not answer within " + PROBE_TIMEOUT.toSeconds() + "s";
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      status.reachable = false;
      int code = MemberErrors.httpCode(cause);
      if (code == 401) {
        // reached, and refused: a wrong or expired credential, not a network problem
        reason = "Unauthorized";
        message = refusedCredential(cluster);
      } else {
        reason = "Unreachable";
        message = MemberErrors.describe(cause);
      }
    }
    status.message = Boolean.TRUE.equals(status.reachable) ? null : message;
    status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
        .set(Conditions.READY, Boolean.TRUE.equals(status.reachable), reason, message)
        .set(Conditions.STALLED, needsChange(reason), reason, needsChange(reason) ? message : "")
        .build();
    if (!Objects.equals(previous.reachable, status.reachable)) {
      reachabilityChanged.accept(MemberConnections.key(cluster));
      if (Boolean.TRUE.equals(status.reachable)) {
        events.normal(cluster, "Reachable", message);
      } else {
        events.warning(cluster, reason, message);
      }
    }
    UpdateControl<MemberCluster> control;
    if (Objects.equals(previous.reachable, status.reachable) && Objects.equals(previous.serverVersion, status.serverVersion)
        && Objects.equals(previous.message, status.message) && Conditions.same(previous.conditions, status.conditions)
        && Objects.equals(previous.observedGeneration, status.observedGeneration)
        && Duration.between(parse(previous.lastContact), Instant.now()).compareTo(interval.multipliedBy(4)) < 0) {
      control = UpdateControl.noUpdate(); // lastContact is refreshed only now and then, not at every probe
    } else {
      cluster.setStatus(status);
      control = UpdateControl.patchStatus(cluster);
    }
    return control.rescheduleAfter(interval);
  }

  /** Reasons that only a change of the MemberCluster (or its Secret, or a flag) can clear. */
  private static boolean needsChange(String reason) {
    return reason.equals("InvalidKubeconfig") || reason.equals("InvalidSpec");
  }

  private static String refusedCredential(MemberCluster cluster) {
    var spec = cluster.getSpec();
    if (spec != null && spec.serviceAccountToken != null) {
      String account = spec.serviceAccountToken.serviceAccountName == null ? ServiceAccountTokens.DEFAULT_SERVICE_ACCOUNT
          : spec.serviceAccountToken.serviceAccountName;
      return "the API server refused the token of hub ServiceAccount " + cluster.getMetadata().getNamespace() + "/" + account
          + " (HTTP 401): its authentication configuration must trust the hub's service-account issuer for the audience '"
          + ServiceAccountTokens.audience(spec.server) + "' (docs/keyless.md)";
    }
    if (spec != null && spec.azure != null) {
      return "the API server of " + spec.azure.resourceId + " refused the operator's Entra ID token (HTTP 401): the cluster must have"
          + " AKS-managed Entra ID integration, and the operator's identity must be in the cluster's tenant (docs/azure.md)";
    }
    var ref = spec == null ? null : spec.kubeconfigSecretRef;
    String secret = ref == null || ref.name == null ? "the kubeconfig" : "Secret " + cluster.getMetadata().getNamespace() + "/" + ref.name;
    return "the API server refused the credentials in " + secret + " (HTTP 401): they are wrong or have expired;"
        + " put a current token or certificate into the Secret (the operator uses it as soon as the Secret changes)";
  }

  /** The version string, if it looks like one: whatever else the endpoint answered stays out of status. */
  static String kubernetesVersion(VersionInfo version) {
    String text = version == null ? null : version.getGitVersion();
    return text != null && text.length() <= 64 && text.matches("v?[0-9]+\\.[0-9]+[\\x21-\\x7e]*") ? text : "unknown";
  }

  private static Instant parse(String time) {
    return time == null ? Instant.EPOCH : Instant.parse(time);
  }

  @Override
  public DeleteControl cleanup(MemberCluster cluster, Context<MemberCluster> context) {
    kubeconfigSecrets.remove(ResourceID.fromResource(cluster));
    connections.forget(MemberConnections.key(cluster));
    return DeleteControl.defaultDelete();
  }
}
