package io.trustsync.operator;

import io.trustsync.operator.shared.TrustSyncMetrics;
import io.trustsync.operator.shared.Tenancy;
import io.trustsync.operator.shared.Sharding;
import io.trustsync.operator.shared.SecretCache;
import io.trustsync.operator.shared.EventRecorder;
import io.trustsync.operator.shared.BundledCrds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.operator.distribution.TrustDistributionReconciler;
import io.trustsync.operator.http.MetricsAccess;
import io.trustsync.operator.http.OperatorEndpoints;
import io.trustsync.operator.http.WebhookRegistry;
import io.trustsync.operator.leader.Fence;
import io.trustsync.operator.leader.Leadership;
import io.trustsync.operator.leader.WriteFence;
import io.trustsync.operator.member.KeylessAccess;
import io.trustsync.operator.member.KubeconfigRules;
import io.trustsync.operator.member.MemberClusterReconciler;
import io.trustsync.operator.member.MemberConnections;
import io.trustsync.operator.member.MemberDirectory;
import io.trustsync.operator.source.AcceptedRevisions;
import io.trustsync.operator.source.FetchQueue;
import io.trustsync.operator.source.PolicySourceReconciler;
import io.trustsync.source.AddressRules;
import io.trustsync.source.GitFetcher;
import io.trustsync.source.SourceRules;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the operator: three reconcilers on the hub (PolicySource, MemberCluster,
 * TrustDistribution), the member cluster workers, metrics, health and webhooks, and leader
 * election so that of several replicas only the one holding a fresh lease ever writes.
 *
 * <p>With leader election, the reconcilers run only while this replica leads; the HTTP ports,
 * the webhook registry and the member directory run on every replica, so a standby answers
 * probes and scrapes and forwards webhooks to the leader.
 */
public final class TrustSyncOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrustSyncOperator.class);
  public static final List<String> HUB_CRDS = List.of(
      "policysources.trustsync.io", "memberclusters.trustsync.io", "trustdistributions.trustsync.io", "trustdistributiontargets.trustsync.io",
      "azureclusterdiscoveries.trustsync.io", "signeraudits.trustsync.io");

  /**
   * Everything an operator start is configured with. {@code namespace} null watches every
   * namespace; {@code http} null serves nothing; {@code leaderElection} null runs without it.
   * {@link #defaults} is the secure choice; every widening is a wither named for it.
   */
  public record Settings(String namespace, Path cacheDir, OperatorEndpoints.Settings http, Duration expiryWindow,
      Leadership.Settings leaderElection, Tenancy tenancy, SourceRules sources, FetchQueue.Settings fetching,
      KubeconfigRules kubeconfigs, AddressRules memberAddresses, Sharding sharding, KeylessAccess keyless, boolean signerAudits) {

    public static Settings defaults(Path cacheDir) {
      return new Settings(null, cacheDir, OperatorEndpoints.Settings.loopback(), Duration.ofDays(30), null,
          new Tenancy(java.util.Set.of(), false), SourceRules.DEFAULT, FetchQueue.Settings.DEFAULT, KubeconfigRules.DEFAULT,
          AddressRules.DEFAULT, Sharding.DEFAULT, KeylessAccess.DEFAULT, false);
    }

    public Settings withNamespace(String newNamespace) {
      return new Settings(newNamespace, cacheDir, http, expiryWindow, leaderElection, tenancy, sources, fetching, kubeconfigs, memberAddresses, sharding, keyless, signerAudits);
    }

    public Settings withHttp(OperatorEndpoints.Settings newHttp) {
      return new Settings(namespace, cacheDir, newHttp, expiryWindow, leaderElection, tenancy, sources, fetching, kubeconfigs, memberAddresses, sharding, keyless, signerAudits);
    }

    public Settings withExpiryWindow(Duration window) {
      return new Settings(namespace, cacheDir, http, window, leaderElection, tenancy, sources, fetching, kubeconfigs, memberAddresses, sharding, keyless, signerAudits);
    }

    public Settings withLeaderElection(Leadership.Settings election) {
      return new Settings(namespace, cacheDir, http, expiryWindow, election, tenancy, sources, fetching, kubeconfigs, memberAddresses, sharding, keyless, signerAudits);
    }

    public Settings withTenancy(Tenancy newTenancy) {
      return new Settings(namespace, cacheDir, http, expiryWindow, leaderElection, newTenancy,
          sources, fetching.withPlatformNamespaces(newTenancy.platformNamespaces()), kubeconfigs, memberAddresses, sharding, keyless, signerAudits);
    }

    public Settings withSources(SourceRules rules) {
      return new Settings(namespace, cacheDir, http, expiryWindow, leaderElection, tenancy, rules, fetching, kubeconfigs, memberAddresses, sharding, keyless, signerAudits);
    }

    public Settings withFetching(FetchQueue.Settings newFetching) {
      return new Settings(namespace, cacheDir, http, expiryWindow, leaderElection, tenancy, sources,
          newFetching.withPlatformNamespaces(tenancy.platformNamespaces()), kubeconfigs, memberAddresses, sharding, keyless, signerAudits);
    }

    public Settings withKubeconfigs(KubeconfigRules rules) {
      return new Settings(namespace, cacheDir, http, expiryWindow, leaderElection, tenancy, sources, fetching, rules, memberAddresses, sharding, keyless, signerAudits);
    }

    /** Own only the MemberClusters (and their targets) of one shard; see {@link Sharding}. */
    public Settings withSharding(Sharding newSharding) {
      return new Settings(namespace, cacheDir, http, expiryWindow, leaderElection, tenancy, sources, fetching, kubeconfigs, memberAddresses,
          newSharding, keyless, signerAudits);
    }

    /** Which keyless member modes are on (all off by default). */
    public Settings withKeyless(KeylessAccess access) {
      return new Settings(namespace, cacheDir, http, expiryWindow, leaderElection, tenancy, sources, fetching, kubeconfigs, memberAddresses,
          sharding, access, signerAudits);
    }

    /**
     * Run SignerAudits: the operator then reads registries (only those an accepted trust policy
     * names, under the Git sources' address rules) for the namespaces that create them. Off by default.
     */
    public Settings withSignerAudits(boolean enabled) {
      return new Settings(namespace, cacheDir, http, expiryWindow, leaderElection, tenancy, sources, fetching, kubeconfigs, memberAddresses,
          sharding, keyless, enabled);
    }

    public Settings withMemberAddresses(AddressRules rules) {
      return new Settings(namespace, cacheDir, http, expiryWindow, leaderElection, tenancy, sources, fetching, kubeconfigs, rules, sharding, keyless, signerAudits);
    }
  }

  private final KubernetesClient hub;
  private final KubernetesClient fencedHub;
  private final Settings settings;
  private final TrustSyncMetrics metrics;
  private final EventRecorder events;
  private final MemberConnections connections;
  private final SecretCache secrets;
  private final MemberDirectory directory;
  private final GitFetcher fetcher;
  /** The coordinator's: fetch, verify, validate, accept. Null in a shard replica. */
  private final PolicySourceReconciler sources;
  /** A shard's: load what the coordinator accepted. Null in the coordinator. */
  private final io.trustsync.operator.source.PolicySourceFollower follower;
  private final MemberClusterReconciler members;
  /** Runs SignerAudits; only with --enable-signer-audit. */
  private final io.trustsync.operator.audit.SignerAuditReconciler audits;
  /** Keeps MemberClusters for AKS clusters; only when the operator has an Azure identity. */
  private final io.trustsync.operator.azure.AzureClusterDiscoveryReconciler discoveries;
  private final TrustDistributionReconciler distributions;
  private final io.trustsync.operator.target.TargetReconciler targets;
  private final WebhookRegistry webhooks;
  private final Leadership leadership;
  private final OperatorEndpoints endpoints;
  private final Map<String, Instant> forwarded = new ConcurrentHashMap<>();
  private MetricsAccess metricsAccess = MetricsAccess.OPEN;
  private volatile Operator operator;

  private TrustSyncOperator(KubernetesClient hub, Settings settings) throws IOException {
    this.hub = hub;
    this.settings = settings;
    metrics = new TrustSyncMetrics();
    Leadership.Settings election = settings.leaderElection();
    leadership = election == null ? null : new Leadership(hub, election, this::startReconciling, this::stopReconciling);
    Fence fence = leadership == null ? Fence.NONE : leadership;
    // Everything the reconcilers write to the hub goes through the fence as well; only the lease
    // renewals and a standby's webhook forwarding use the plain client.
    // and no hub write may outlive the lease that allowed it
    fencedHub = new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(hub.getConfiguration())
            .withRequestTimeout((int) fence.writeTimeout().toMillis()).withUserAgent(settings.sharding().userAgent()).build())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(WriteFence.NAME, new WriteFence(fence))).build();
    events = new EventRecorder(fencedHub);
    secrets = new SecretCache(fencedHub);
    connections = new MemberConnections(fencedHub, secrets,
        new MemberConnections.Access(settings.kubeconfigs(), settings.memberAddresses(), settings.tenancy(), fence,
            settings.sharding().userAgent(), settings.keyless()));
    directory = new MemberDirectory(hub, settings.namespace());
    AcceptedRevisions revisions = new AcceptedRevisions();
    fetcher = new GitFetcher(settings.cacheDir(), settings.sources());
    if (settings.sharding().coordinator()) {
      sources = new PolicySourceReconciler(secrets, fetcher, settings.fetching(), revisions, metrics, events, settings.expiryWindow());
      follower = null;
    } else {
      sources = null;
      follower = new io.trustsync.operator.source.PolicySourceFollower(secrets, fetcher, settings.fetching(), revisions,
          settings.expiryWindow());
    }
    var renderings = new io.trustsync.operator.target.Renderings();
    distributions = new TrustDistributionReconciler(directory, connections, revisions, renderings, metrics, events);
    targets = new io.trustsync.operator.target.TargetReconciler(directory, connections, revisions, renderings, metrics, events);
    revisions.onChange(targets::sourceChanged);
    members = new MemberClusterReconciler(connections, events, targets::memberChanged);
    secrets.onChange(members::secretChanged);
    discoveries = settings.keyless().azure() == null ? null
        : new io.trustsync.operator.azure.AzureClusterDiscoveryReconciler(fencedHub, settings.keyless().azure(), settings.tenancy(), events);
    audits = !settings.signerAudits() ? null
        : new io.trustsync.operator.audit.SignerAuditReconciler(revisions, secrets, settings.sources().addresses(), metrics, events,
            settings.keyless().azure(), settings.tenancy());
    webhooks = new WebhookRegistry(hub, settings.namespace());
    directory.start();
    webhooks.start();
    OperatorEndpoints started = null;
    try {
      if (settings.http() != null) {
        metricsAccess = settings.http().authenticateMetrics() ? MetricsAccess.kubernetes(hub) : MetricsAccess.OPEN;
        MetricsAccess access = metricsAccess;
        started = new OperatorEndpoints(settings.http(), access, metrics, this::ready, webhooks, this::fetchNow);
      }
      if (leadership == null) {
        startReconciling();
      } else {
        leadership.start();
      }
    } catch (IOException | RuntimeException e) {
      if (started != null) {
        started.close();
      }
      webhooks.close();
      directory.close();
      throw e;
    }
    endpoints = started;
  }

  public static TrustSyncOperator start(KubernetesClient hub, Settings settings) throws IOException {
    return new TrustSyncOperator(hub, settings);
  }

  /** Gained the lease (or runs alone): start the reconcilers. */
  private synchronized void startReconciling() {
    if (operator != null || !leading()) {
      return; // already running, or the lease was lost before this got its turn
    }
    Operator started = new Operator(o -> o.withKubernetesClient(fencedHub)
        .withCloseClientOnStop(false)
        .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()))
        .withConcurrentReconciliationThreads(8)
        // Status stays server-side applied (JOSDK's default): a JSON patch computed against a cached
        // copy that lags the last write can corrupt lists such as a target's inventory.
        // a member that is down must not stop the operator, nor hold a reconcile thread for long
        .withStopOnInformerErrorDuringStartup(false)
        .withCacheSyncTimeout(Duration.ofSeconds(10)));
    String owned = settings.sharding().selector();
    if (settings.sharding().coordinator()) {
      register(started, sources, null);
      register(started, distributions, null);
      if (discoveries != null) {
        register(started, discoveries, null);
      }
      if (audits != null) {
        register(started, audits, null);
      }
    } else {
      register(started, follower, null);
    }
    // every shard (the coordinator is the default one) probes and syncs only its own clusters
    register(started, members, owned);
    register(started, targets, owned);
    started.start();
    operator = started;
  }

  /** Lost the lease: stop every reconciler at once, so two replicas never write. */
  private synchronized void stopReconciling() {
    if (operator != null) {
      try {
        operator.stop();
      } catch (RuntimeException e) {
        LOG.debug("stopping: {}", e.getMessage());
      }
      operator = null;
    }
  }

  private <P extends HasMetadata> void register(Operator target, Reconciler<P> reconciler, String labelSelector) {
    target.register(reconciler, o -> {
      if (settings.namespace() != null) {
        o.settingNamespace(settings.namespace());
      }
      if (labelSelector != null) {
        o.withLabelSelector(labelSelector);
      }
    });
  }

  /** A verified webhook: fetch now here, or have the leader do it (the Service may route it to a standby). */
  private void fetchNow(String namespace, String name) {
    if (leading() && sources != null) {
      sources.trigger(namespace, name);
      return;
    }
    String key = namespace + "/" + name;
    Instant last = forwarded.get(key);
    if (last != null && Duration.between(last, Instant.now()).compareTo(Duration.ofSeconds(1)) < 0) {
      return; // one forward a second per source is plenty: the leader fetches once either way
    }
    forwarded.put(key, Instant.now());
    try {
      requestReconcile(hub, namespace, name);
    } catch (RuntimeException e) {
      LOG.warn("could not forward the webhook of {} to the leader: {}", key, e.getClass().getSimpleName());
    }
  }

  /** Asks whichever replica leads to fetch now, through the reconcile-requested-at annotation. */
  static void requestReconcile(KubernetesClient hub, String namespace, String name) {
    hub.resources(PolicySource.class).inNamespace(namespace).withName(name)
        .edit(source -> {
          source.getMetadata().getAnnotations().put(SpecOrRequestFilter.RECONCILE_REQUESTED_AT, Instant.now().toString());
          return source;
        });
  }

  /** A leader: its reconcilers run and their informers are healthy. A standby: its own informers run. */
  public boolean ready() {
    Operator running = operator;
    if (running == null) {
      return leadership != null;
    }
    return running.getRuntimeInfo().isStarted() && running.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public boolean leading() {
    return leadership == null || leadership.leading();
  }

  public TrustSyncMetrics metrics() {
    return metrics;
  }

  public int metricsPort() {
    return endpoints == null ? -1 : endpoints.metricsPort();
  }

  public int webhookPort() {
    return endpoints == null ? -1 : endpoints.webhookPort();
  }

  /** Where this operator keeps a PolicySource's clone (tests check what was written and deleted). */
  public Path cacheFolder(PolicySource source) {
    return fetcher.folder(PolicySourceReconciler.key(source) + "/" + source.getMetadata().getUid());
  }

  /** Benchmarks, tests and the demo hear what happens in the clusters here. */
  public void addObserver(io.trustsync.operator.target.TargetReconciler.Observer observer) {
    targets.addObserver(observer);
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
    // workers first, while the lease still fences everyone else out; then release the lease
    stopReconciling();
    if (leadership != null) {
      leadership.close();
    }
    if (sources != null) {
      sources.close();
    } else {
      follower.close();
    }
    distributions.close();
    if (audits != null) {
      audits.close();
    }
    members.close();
    if (endpoints != null) {
      endpoints.close();
    }
    if (metricsAccess instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.debug("closing metrics access: {}", e.toString());
      }
    }
    webhooks.close();
    directory.close();
    connections.close();
    secrets.close();
    if (sources != null) {
      sources.awaitFetches(Duration.ofSeconds(10));
    } else {
      follower.awaitLoads(Duration.ofSeconds(10));
    }
    fetcher.close();
    events.close();
    fencedHub.close();
  }
}
