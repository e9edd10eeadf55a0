package io.trustsync.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trustsync.operator.shared.Sharding;
import io.trustsync.operator.shared.Tenancy;
import io.trustsync.operator.TrustSyncOperator;
import io.trustsync.operator.http.BoundedHttpServer;
import io.trustsync.operator.http.OperatorEndpoints;
import io.trustsync.operator.leader.Leadership;
import io.trustsync.operator.azure.AzureClusters;
import io.trustsync.operator.azure.AzureResourceManagerClusters;
import io.trustsync.operator.azure.AzureSettings;
import io.trustsync.operator.member.KeylessAccess;
import io.trustsync.operator.member.KubeconfigRules;
import io.trustsync.operator.source.FetchQueue;
import io.trustsync.source.AddressRules;
import io.trustsync.source.CheckoutLimits;
import io.trustsync.source.Cidr;
import io.trustsync.source.SourceRules;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the TrustSync controller against a hub cluster (the current kubeconfig",
      "context, or --kubeconfig): fetches and validates every PolicySource, renders",
      "each TrustDistribution into its MemberClusters, watches them for drift, and",
      "serves /metrics, /healthz and /readyz on the metrics port and",
      "/hooks/<namespace>/<policysource> on the webhook port.",
      "",
      "Every default is the safe choice. The --allow-* and --insecure-* flags widen",
      "what a tenant or a remote server can make the operator do; docs/security.md",
      "says what each one exposes."
    },
    footer = {
      "",
      "Examples:",
      "  trustsync operator --install-crds                      # try it against the current context",
      "  trustsync operator --namespace trustsync-system --leader-election --lease-namespace trustsync-system"
    })
public final class OperatorCommand implements Callable<Integer> {
  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "kubeconfig of the hub. Default: $KUBECONFIG, ~/.kube/config or in-cluster.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "kubeconfig context. Default: the current one.")
  String context;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Watch only this hub namespace. Default: all namespaces.")
  String namespace;

  @Option(names = "--metrics-address", defaultValue = "0.0.0.0:8080", paramLabel = "HOST:PORT",
      description = "Where /metrics, /healthz and /readyz are served. Default: ${DEFAULT-VALUE}.")
  String metricsAddress;

  @Option(names = "--webhook-address", defaultValue = "0.0.0.0:8090", paramLabel = "HOST:PORT",
      description = "Where /hooks/<namespace>/<policysource> is served; 'none' serves no webhooks. Default: ${DEFAULT-VALUE}.")
  String webhookAddress;

  @Option(names = "--metrics-auth", description = "Scrapes must send a bearer token that the hub's TokenReview accepts and whose"
      + " user may 'get' the non-resource URL /metrics (as kube-rbac-proxy checks). Needs manifests/hub-metrics-auth.")
  boolean metricsAuth;

  @Option(names = "--webhook-max-bytes", defaultValue = "1048576", paramLabel = "BYTES",
      description = "Largest webhook body accepted (declared by Content-Length; bigger is refused unread). Default: ${DEFAULT-VALUE}.")
  int webhookMaxBytes;

  @Option(names = "--webhook-max-connections", defaultValue = "64", paramLabel = "N",
      description = "Webhook connections served at once; more are answered 503 at once. Default: ${DEFAULT-VALUE}.")
  int webhookMaxConnections;

  @Option(names = "--cache-dir", paramLabel = "DIR", description = "Git clones and snapshots. Default: a folder under the temp dir.")
  Path cacheDir;

  @Option(names = "--expiry-window", defaultValue = "30d", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Warn about certificates that expire within this window. Default: ${DEFAULT-VALUE}.")
  Duration expiryWindow;

  @Option(names = "--leader-election", description = "Run several replicas; only the holder of a fresh lease writes.")
  boolean leaderElection;

  @Option(names = "--lease-namespace", paramLabel = "NS",
      description = "Namespace of the leader-election Lease 'trustsync-leader'. Default: $POD_NAMESPACE, else --namespace, else 'default'.")
  String leaseNamespace;

  @Option(names = "--lease-duration", defaultValue = "15s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long a lease lasts unrenewed before a standby may take over. Default: ${DEFAULT-VALUE}.")
  Duration leaseDuration;

  @Option(names = "--renew-deadline", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long after its last renewal the leader still writes; it stops leading when it cannot renew within it."
          + " Writes are given leaseDuration - renewDeadline to finish. Default: ${DEFAULT-VALUE}.")
  Duration renewDeadline;

  @Option(names = "--retry-period", defaultValue = "2s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How often the lease is renewed or tried. Default: ${DEFAULT-VALUE}.")
  Duration retryPeriod;

  @Option(names = "--install-crds", description = "Install or update the hub CRDs first (normally done by manifests/).")
  boolean installCrds;

  // Tenancy
  @Option(names = "--platform-namespace", paramLabel = "NS", split = ",",
      description = "Namespace of the platform team (repeatable): its MemberClusters may set hub: true and its distributions"
          + " may write into any hub namespace. Default: --namespace, else $POD_NAMESPACE.")
  List<String> platformNamespaces = new ArrayList<>();

  @Option(names = "--allow-tenant-hub-members", description = "Let tenant namespaces register the hub itself (hub: true);"
      + " their distributions may then write to the hub, with the operator's identity, in their own namespace only.")
  boolean tenantHubMembers;

  // Sources
  @Option(names = "--allow-insecure-http", description = "Accept http:// Git URLs (never with credentials): content unprotected in transit.")
  boolean allowHttp;

  @Option(names = "--allow-local-sources", description = "Accept file:// Git URLs: any folder the operator can read. For tests; never in a deployment.")
  boolean allowLocal;

  @Option(names = "--source-allow-cidr", paramLabel = "CIDR", split = ",",
      description = "Address range Git URLs may resolve to although it is denied by default (loopback, link-local) or by --source-deny-cidr.")
  List<String> sourceAllow = new ArrayList<>();

  @Option(names = "--source-deny-cidr", paramLabel = "CIDR", split = ",",
      description = "Address range Git URLs may not resolve to, e.g. the cluster's Service and Pod ranges.")
  List<String> sourceDeny = new ArrayList<>();

  @Option(names = "--min-source-interval", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Shortest polling interval a PolicySource gets, whatever spec.interval says. Default: ${DEFAULT-VALUE}.")
  Duration minInterval;

  @Option(names = "--max-source-timeout", defaultValue = "5m", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Longest spec.timeout honoured for one fetch. Default: ${DEFAULT-VALUE}.")
  Duration maxTimeout;

  @Option(names = "--max-fetch-bytes", defaultValue = "67108864", paramLabel = "BYTES",
      description = "Most bytes one HTTPS fetch may download, and one source's clone may hold on disk. Default: ${DEFAULT-VALUE}.")
  long maxFetchBytes;

  @Option(names = "--max-object-bytes", defaultValue = "16777216", paramLabel = "BYTES",
      description = "Largest Git object a fetch may bring, checked before it is inflated (a delta bomb is refused). Default: ${DEFAULT-VALUE}.")
  long maxObjectBytes;

  @Option(names = "--max-checkout-bytes", defaultValue = "67108864", paramLabel = "BYTES",
      description = "Most bytes one revision's files may add up to; checked before anything is written. Default: ${DEFAULT-VALUE}.")
  long maxCheckoutBytes;

  @Option(names = "--max-checkout-files", defaultValue = "10000", paramLabel = "N", description = "Most files in one revision. Default: ${DEFAULT-VALUE}.")
  int maxCheckoutFiles;

  @Option(names = "--max-file-bytes", defaultValue = "4194304", paramLabel = "BYTES", description = "Largest file in a revision. Default: ${DEFAULT-VALUE}.")
  long maxFileBytes;

  @Option(names = "--fetch-concurrency", defaultValue = "4", paramLabel = "N",
      description = "Fetches of tenant namespaces at once, shared round robin (platform namespaces have 2 of their own). Default: ${DEFAULT-VALUE}.")
  int fetchConcurrency;

  @Option(names = "--fetch-concurrency-per-namespace", defaultValue = "2", paramLabel = "N",
      description = "Fetches of one namespace at once. Default: ${DEFAULT-VALUE}.")
  int fetchPerNamespace;

  // Members
  @Option(names = "--insecure-kubeconfig-exec", description = "Honour kubeconfig 'exec' credential plugins: runs the command the Secret names inside the operator.")
  boolean kubeconfigExec;

  @Option(names = "--insecure-kubeconfig-auth-provider", description = "Honour kubeconfig 'auth-provider' plugins.")
  boolean kubeconfigAuthProvider;

  @Option(names = "--insecure-kubeconfig-files", description = "Honour kubeconfig file paths (certificate-authority, client-certificate, client-key, tokenFile): reads the operator's files.")
  boolean kubeconfigFiles;

  @Option(names = "--insecure-kubeconfig-tls", description = "Honour insecure-skip-tls-verify: members' certificates go unchecked.")
  boolean kubeconfigTls;

  @Option(names = "--insecure-kubeconfig-proxy", description = "Honour kubeconfig proxy-url.")
  boolean kubeconfigProxy;

  @Option(names = "--insecure-kubeconfig-http", description = "Accept http:// member API servers: credentials in clear.")
  boolean kubeconfigHttp;

  @Option(names = "--allow-service-account-token-members", description = "Honour MemberCluster spec.serviceAccountToken: the operator"
      + " requests short-lived tokens of ServiceAccounts in the MemberCluster's own namespace (audience trustsync:<spec.server>) and"
      + " presents them to spec.server. Needs 'create serviceaccounts/token' in those namespaces (docs/keyless.md).")
  boolean serviceAccountTokenMembers;

  @Option(names = "--enable-signer-audit", description = "Run SignerAudits (docs/audit.md): the operator reads the registries an"
      + " environment's accepted trust policy names in its registry scopes (and no other), under the same address rules as Git sources"
      + " (--source-allow-cidr/--source-deny-cidr), with credentials from Secrets of the SignerAudit's namespace. Needs the hub-audit RBAC.")
  boolean signerAudit;

  // Azure
  @Option(names = "--azure-workload-identity", description = "Use the operator's Azure workload identity: AzureClusterDiscovery and"
      + " MemberCluster spec.azure (platform namespaces only) list AKS clusters, read their user credential's server and CA, and reach"
      + " them with Entra ID tokens (docs/azure.md).")
  boolean azureWorkloadIdentity;

  @Option(names = "--azure-tenant-id", paramLabel = "ID", description = "Entra tenant of the identity. Default: $AZURE_TENANT_ID.")
  String azureTenantId;

  @Option(names = "--azure-client-id", paramLabel = "ID", description = "Client ID of the managed identity or application. Default: $AZURE_CLIENT_ID.")
  String azureClientId;

  @Option(names = "--azure-federated-token-file", paramLabel = "FILE",
      description = "The projected service-account token exchanged for Entra tokens. Default: $AZURE_FEDERATED_TOKEN_FILE.")
  Path azureTokenFile;

  @Option(names = "--azure-authority-host", paramLabel = "URL",
      description = "Entra ID authority host. Default: $AZURE_AUTHORITY_HOST, else https://login.microsoftonline.com/.")
  String azureAuthorityHost;

  @Option(names = "--azure-resource-manager-endpoint", paramLabel = "URL", defaultValue = "https://management.azure.com/",
      description = "Azure Resource Manager endpoint (another cloud's, e.g. https://management.chinacloudapi.cn/). Default: ${DEFAULT-VALUE}.")
  String azureResourceManager;

  @Option(names = "--azure-ca-file", paramLabel = "FILE",
      description = "Extra CA certificates (PEM) trusted for the Azure endpoints besides the JVM's, e.g. for a TLS-inspecting proxy.")
  Path azureCaFile;

  @Option(names = "--member-allow-cidr", paramLabel = "CIDR", split = ",",
      description = "Address range member API servers may resolve to although denied by default (loopback, link-local) or by --member-deny-cidr.")
  List<String> memberAllow = new ArrayList<>();

  @Option(names = "--member-deny-cidr", paramLabel = "CIDR", split = ",", description = "Address range member API servers may not resolve to.")
  List<String> memberDeny = new ArrayList<>();

  @Option(names = "--shard", paramLabel = "KEY", description = "Own only the MemberClusters labelled sharding.trustsync.io/key=KEY"
      + " and their targets, under the Lease trustsync-leader-KEY; load the revisions the default shard accepted and never fetch"
      + " branches or write PolicySources and TrustDistributions. Without it this replica is the default shard: it owns the"
      + " unlabelled clusters and coordinates every shard (docs/operator.md, Sharding).")
  String shard;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TrustSyncOperator.Settings settings = settings();
    Config config = kubeconfig != null
        ? Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString())
        : context != null ? Config.autoConfigure(context) : new io.fabric8.kubernetes.client.ConfigBuilder().build();
    KubernetesClient hub = new KubernetesClientBuilder().withConfig(config).build();
    spec.commandLine().getErr().println("trustsync: hub " + config.getMasterUrl() + (namespace != null ? ", namespace " + namespace : ", all namespaces")
        + ", platform namespaces " + settings.tenancy().platformNamespaces().stream().sorted().toList());
    if (installCrds) {
      TrustSyncOperator.installHubCrds(hub);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    TrustSyncOperator operator = TrustSyncOperator.start(hub, settings);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      if (settings.keyless().azure() != null) {
        settings.keyless().azure().close();
      }
      hub.close();
      stopped.countDown();
    }, "trustsync-shutdown"));
    spec.commandLine().getErr().println("trustsync: operator running; metrics on http://" + metricsAddress + "/metrics"
        + (settings.http().webhooks() == null ? "" : ", webhooks on http://" + webhookAddress + "/hooks/"));
    stopped.await();
    return 0;
  }

  /** Flags to settings; a bad value is a usage error naming the flag. Tests check the shipped manifests' arguments with it. */
  public TrustSyncOperator.Settings settings() {
    if (leaderElection && !(retryPeriod.compareTo(renewDeadline) < 0 && renewDeadline.compareTo(leaseDuration) < 0)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--retry-period < --renew-deadline < --lease-duration must hold");
    }
    Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("java.io.tmpdir"), "trustsync-cache");
    String podNamespace = System.getenv("POD_NAMESPACE");
    Set<String> platform = new LinkedHashSet<>(platformNamespaces);
    if (platform.isEmpty()) {
      if (namespace != null) {
        platform.add(namespace);
      } else if (podNamespace != null) {
        platform.add(podNamespace);
      }
    }
    OperatorEndpoints.Settings http = new OperatorEndpoints.Settings(address("--metrics-address", metricsAddress),
        webhookAddress.equals("none") ? null : address("--webhook-address", webhookAddress),
        BoundedHttpServer.Limits.DEFAULT,
        new BoundedHttpServer.Limits(webhookMaxConnections, BoundedHttpServer.Limits.DEFAULT.readTimeout(), BoundedHttpServer.Limits.DEFAULT.requestTimeout()),
        webhookMaxBytes, metricsAuth);
    SourceRules sources = new SourceRules(allowHttp, allowLocal, addresses("--source", sourceAllow, sourceDeny), minInterval,
        SourceRules.DEFAULT_TIMEOUT, maxTimeout, maxFetchBytes, maxObjectBytes, new CheckoutLimits(maxCheckoutFiles, maxFileBytes, maxCheckoutBytes));
    Sharding sharding;
    try {
      sharding = new Sharding(shard);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--shard: " + e.getMessage());
    }
    // The Lease names are fixed: manifests/hub/rbac.yaml grants renewing exactly these Leases.
    String identity = System.getenv().getOrDefault("POD_NAME", System.getenv().getOrDefault("HOSTNAME", "trustsync"))
        + "-" + UUID.randomUUID().toString().substring(0, 8);
    Leadership.Settings election = leaderElection
        ? new Leadership.Settings(sharding.leaseName("trustsync-leader"),
            leaseNamespace != null ? leaseNamespace : podNamespace != null ? podNamespace : namespace != null ? namespace : "default",
            identity, leaseDuration, renewDeadline, retryPeriod, true)
        : null;
    return TrustSyncOperator.Settings.defaults(cache)
        .withNamespace(namespace)
        .withHttp(http)
        .withExpiryWindow(expiryWindow)
        .withLeaderElection(election)
        .withTenancy(new Tenancy(platform, tenantHubMembers))
        .withSources(sources)
        .withFetching(new FetchQueue.Settings(fetchPerNamespace, fetchConcurrency, 2, Set.of()))
        .withKubeconfigs(new KubeconfigRules(kubeconfigExec, kubeconfigAuthProvider, kubeconfigFiles, kubeconfigTls, kubeconfigProxy, kubeconfigHttp))
        .withMemberAddresses(addresses("--member", memberAllow, memberDeny))
        .withSharding(sharding)
        .withKeyless(new KeylessAccess(serviceAccountTokenMembers, azureWorkloadIdentity ? azureClusters() : null))
        .withSignerAudits(signerAudit);
  }

  /** The Azure clients from the --azure-* flags and the workload identity webhook's environment; a usage error names what is missing. */
  private AzureClusters azureClusters() {
    String tenant = azureTenantId != null ? azureTenantId : System.getenv("AZURE_TENANT_ID");
    String client = azureClientId != null ? azureClientId : System.getenv("AZURE_CLIENT_ID");
    String tokenFile = azureTokenFile != null ? azureTokenFile.toString() : System.getenv("AZURE_FEDERATED_TOKEN_FILE");
    String authority = azureAuthorityHost != null ? azureAuthorityHost : System.getenv().getOrDefault("AZURE_AUTHORITY_HOST",
        AzureSettings.PUBLIC_AUTHORITY_HOST.toString());
    List<String> missing = new ArrayList<>();
    if (tenant == null || tenant.isBlank()) {
      missing.add("--azure-tenant-id (or $AZURE_TENANT_ID)");
    }
    if (client == null || client.isBlank()) {
      missing.add("--azure-client-id (or $AZURE_CLIENT_ID)");
    }
    if (tokenFile == null || tokenFile.isBlank()) {
      missing.add("--azure-federated-token-file (or $AZURE_FEDERATED_TOKEN_FILE)");
    }
    if (!missing.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--azure-workload-identity needs " + String.join(", ", missing)
          + "; on AKS, label the pod azure.workload.identity/use=true and annotate its ServiceAccount with the client ID (docs/azure.md)");
    }
    URI authorityUri = httpsUrl("--azure-authority-host", authority);
    URI arm = httpsUrl("--azure-resource-manager-endpoint", azureResourceManager);
    try {
      return AzureResourceManagerClusters.create(new AzureSettings(tenant, client, Path.of(tokenFile), authorityUri, arm, azureCaFile));
    } catch (java.io.IOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--azure-ca-file: " + e.getMessage());
    }
  }

  private URI httpsUrl(String flag, String value) {
    try {
      URI uri = new URI(value.endsWith("/") ? value : value + "/");
      if ("https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
        return uri;
      }
    } catch (java.net.URISyntaxException e) {
      // below
    }
    throw new CommandLine.ParameterException(spec.commandLine(), flag + ": '" + value + "' is not an https:// URL");
  }

  private AddressRules addresses(String flag, List<String> allow, List<String> deny) {
    AddressRules rules = AddressRules.DEFAULT;
    try {
      for (String range : allow) {
        rules = rules.allowing(Cidr.parse(range));
      }
      for (String range : deny) {
        rules = rules.denying(Cidr.parse(range));
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), flag + "-allow-cidr/" + flag + "-deny-cidr: " + e.getMessage());
    }
    return rules;
  }

  private InetSocketAddress address(String flag, String value) {
    int colon = value.lastIndexOf(':');
    try {
      return new InetSocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), flag + ": '" + value + "' is not HOST:PORT");
    }
  }
}
