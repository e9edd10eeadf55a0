package io.trustsync.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trustsync.operator.TrustSyncOperator;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the TrustSync controller against a hub cluster (the current kubeconfig context, or --kubeconfig):",
      "fetches and validates every PolicySource, renders each TrustDistribution into its MemberClusters,",
      "watches them for drift, and serves /metrics, /healthz, /readyz and /hooks/<namespace>/<policysource>."
    },
    footer = {
      "",
      "Examples:",
      "  trustsync operator --install-crds                      # try it against the current context",
      "  trustsync operator --namespace trustsync-system --leader-election --lease-namespace trustsync-system"
    })
final class OperatorCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "kubeconfig of the hub. Default: $KUBECONFIG, ~/.kube/config or in-cluster.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "kubeconfig context. Default: the current one.")
  String context;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Watch only this hub namespace. Default: all namespaces.")
  String namespace;

  @Option(names = "--http-address", defaultValue = "0.0.0.0:8080", paramLabel = "HOST:PORT",
      description = "Where /metrics, /healthz, /readyz and /hooks are served. Default: ${DEFAULT-VALUE}.")
  String httpAddress;

  @Option(names = "--cache-dir", paramLabel = "DIR", description = "Git clones and snapshots. Default: a folder under the temp dir.")
  Path cacheDir;

  @Option(names = "--expiry-window", defaultValue = "30d", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Warn about certificates that expire within this window. Default: ${DEFAULT-VALUE}.")
  Duration expiryWindow;

  @Option(names = "--leader-election", description = "Run several replicas; only the lease holder reconciles.")
  boolean leaderElection;

  @Option(names = "--lease-namespace", paramLabel = "NS",
      description = "Namespace of the leader-election Lease 'trustsync-leader'. Default: $POD_NAMESPACE, else --namespace, else 'default'.")
  String leaseNamespace;

  @Option(names = "--install-crds", description = "Install or update the hub CRDs first (normally done by manifests/).")
  boolean installCrds;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Config config = kubeconfig != null
        ? Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString())
        : context != null ? Config.autoConfigure(context) : new io.fabric8.kubernetes.client.ConfigBuilder().build();
    Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("java.io.tmpdir"), "trustsync-cache");
    Files.createDirectories(cache);
    int colon = httpAddress.lastIndexOf(':');
    InetSocketAddress address = new InetSocketAddress(httpAddress.substring(0, colon), Integer.parseInt(httpAddress.substring(colon + 1)));
    // The Lease name is fixed: manifests/hub/rbac.yaml grants update on exactly this Lease.
    String podNamespace = System.getenv("POD_NAMESPACE");
    String identity = System.getenv().getOrDefault("POD_NAME", System.getenv().getOrDefault("HOSTNAME", "trustsync"))
        + "-" + UUID.randomUUID().toString().substring(0, 8);
    TrustSyncOperator.LeaderElection election = leaderElection
        ? new TrustSyncOperator.LeaderElection("trustsync-leader",
            leaseNamespace != null ? leaseNamespace : podNamespace != null ? podNamespace : namespace != null ? namespace : "default",
            identity, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), true)
        : null;
    KubernetesClient hub = new KubernetesClientBuilder().withConfig(config).build();
    spec.commandLine().getErr().println("trustsync: hub " + config.getMasterUrl() + (namespace != null ? ", namespace " + namespace : ", all namespaces"));
    if (installCrds) {
      TrustSyncOperator.installHubCrds(hub);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    TrustSyncOperator operator = TrustSyncOperator.start(hub, new TrustSyncOperator.Settings(namespace, cache, address, expiryWindow, election));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      hub.close();
      stopped.countDown();
    }, "trustsync-shutdown"));
    spec.commandLine().getErr().println("trustsync: operator running; metrics on http://" + httpAddress + "/metrics");
    stopped.await();
    return 0;
  }
}
