package io.trustsync.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.trustsync.operator.distribution.ClusterSync;
import io.trustsync.operator.distribution.TrustDistributionReconciler;
import io.trustsync.operator.http.OperatorEndpoints;
import io.trustsync.operator.member.MemberClusterReconciler;
import io.trustsync.operator.member.MemberConnections;
import io.trustsync.operator.member.MemberDirectory;
import io.trustsync.operator.source.AcceptedRevisions;
import io.trustsync.operator.source.PolicySourceReconciler;
import io.trustsync.source.GitFetcher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the operator: three reconcilers on the hub (PolicySource, MemberCluster,
 * TrustDistribution), the member cluster workers, metrics, health and webhooks, and leader
 * election so that of several replicas only one ever writes.
 */
public final class TrustSyncOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrustSyncOperator.class);
  public static final List<String> HUB_CRDS = List.of(
      "policysources.trustsync.io", "memberclusters.trustsync.io", "trustdistributions.trustsync.io");

  /** {@code namespace} null watches every namespace; {@code leaderElection} null runs without it. */
  public record Settings(String namespace, Path cacheDir, InetSocketAddress httpAddress, Duration expiryWindow, LeaderElection leaderElection) {}

  public record LeaderElection(String leaseName, String leaseNamespace, String identity, Duration leaseDuration,
      Duration renewDeadline, Duration retryPeriod, boolean exitOnStopLeading) {}

  private final Operator operator;
  private final TrustSyncMetrics metrics;
  private final EventRecorder events;
  private final MemberConnections connections;
  private final MemberDirectory directory;
  private final TrustDistributionReconciler distributions;
  private final OperatorEndpoints endpoints;
  private final AtomicBoolean leading = new AtomicBoolean();

  private TrustSyncOperator(KubernetesClient hub, Settings settings) throws IOException {
    metrics = new TrustSyncMetrics();
    events = new EventRecorder(hub);
    connections = new MemberConnections(hub);
    directory = new MemberDirectory(hub, settings.namespace());
    AcceptedRevisions revisions = new AcceptedRevisions();
    GitFetcher fetcher = new GitFetcher(settings.cacheDir());
    PolicySourceReconciler sources = new PolicySourceReconciler(hub, fetcher, revisions, metrics, events, settings.expiryWindow());
    distributions = new TrustDistributionReconciler(directory, connections, revisions, metrics, events);
    MemberClusterReconciler members = new MemberClusterReconciler(connections, events);
    operator = new Operator(o -> {
      o.withKubernetesClient(hub)
          .withCloseClientOnStop(false)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()))
          .withConcurrentReconciliationThreads(8);
      LeaderElection election = settings.leaderElection();
      if (election != null) {
        o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(election.leaseName())
            .withLeaseNamespace(election.leaseNamespace())
            .withIdentity(election.identity())
            .withLeaseDuration(election.leaseDuration())
            .withRenewDeadline(election.renewDeadline())
            .withRetryPeriod(election.retryPeriod())
            .withExitOnStopLeading(election.exitOnStopLeading())
            .withLeaderCallbacks(new LeaderCallbacks(
                () -> {
                  leading.set(true);
                  LOG.info("{} is now the leader", election.identity());
                },
                () -> {
                  // Lost the lease: stop every cluster worker at once so two replicas never write.
                  leading.set(false);
                  distributions.stopAll();
                  LOG.warn("{} stopped leading; cluster workers stopped", election.identity());
                },
                leader -> LOG.info("leader is {}", leader)))
            .build());
      } else {
        leading.set(true);
      }
    });
    register(sources, settings.namespace());
    register(members, settings.namespace());
    register(distributions, settings.namespace());
    directory.start();
    operator.start();
    endpoints = settings.httpAddress() == null ? null
        : new OperatorEndpoints(settings.httpAddress(), metrics, this::ready, hub, (namespace, name) -> {
          if (leading.get()) {
            sources.trigger(namespace, name);
          } else {
            requestReconcile(hub, namespace, name); // the Service may route a webhook to a standby replica
          }
        });
  }

  public static TrustSyncOperator start(KubernetesClient hub, Settings settings) throws IOException {
    return new TrustSyncOperator(hub, settings);
  }

  private <P extends io.fabric8.kubernetes.api.model.HasMetadata> void register(Reconciler<P> reconciler, String namespace) {
    if (namespace == null) {
      operator.register(reconciler);
    } else {
      operator.register(reconciler, o -> o.settingNamespace(namespace));
    }
  }

  /** Asks whichever replica leads to fetch now, through the reconcile-requested-at annotation. */
  static void requestReconcile(KubernetesClient hub, String namespace, String name) {
    hub.resources(io.trustsync.crd.policysource.PolicySource.class).inNamespace(namespace).withName(name)
        .edit(source -> {
          source.getMetadata().getAnnotations().put(SpecOrRequestFilter.RECONCILE_REQUESTED_AT, java.time.Instant.now().toString());
          return source;
        });
  }

  public boolean ready() {
    return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public boolean leading() {
    return leading.get();
  }

  public TrustSyncMetrics metrics() {
    return metrics;
  }

  public int httpPort() {
    return endpoints == null ? -1 : endpoints.port();
  }

  public void addListener(ClusterSync.Observer listener) {
    distributions.addListener(listener);
  }

  /** Installs (or updates) the hub CRDs; what manifests/ does in a real deployment. */
  public static void installHubCrds(KubernetesClient hub) {
    for (String name : HUB_CRDS) {
      installCrd(hub, name);
    }
  }

  static void installCrd(KubernetesClient client, String name) {
    var crds = client.apiextensions().v1().customResourceDefinitions();
    crds.resource(BundledCrds.load(name)).forceConflicts().fieldManager("trustsync").serverSideApply();
    crds.withName(name).waitUntilCondition(BundledCrds::established, 30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    distributions.stopAll();
    try {
      operator.stop();
    } catch (RuntimeException e) {
      LOG.debug("stopping: {}", e.getMessage());
    }
    if (endpoints != null) {
      endpoints.close();
    }
    directory.close();
    connections.close();
    events.close();
  }
}
