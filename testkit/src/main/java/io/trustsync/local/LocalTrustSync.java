package io.trustsync.local;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.SecretReference;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionSpec;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterSpec;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceSpec;
import io.trustsync.operator.shared.Tenancy;
import io.trustsync.operator.TrustSyncOperator;
import io.trustsync.source.AddressRules;
import io.trustsync.source.Cidr;
import io.trustsync.source.SourceRules;
import io.trustsync.source.WebhookSignatures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A whole TrustSync on loopback: a hub and member API servers, a Git server holding a policy
 * repository, and the operator, wired the way a platform team would wire them. The demo and the
 * operator benchmark run on it.
 */
public final class LocalTrustSync implements AutoCloseable {
  public static final String NAMESPACE = "trustsync-demo";
  public static final String SOURCE = "policies";
  private static final String WEBHOOK_TOKEN = "local-webhook-secret";

  private final LocalFleet fleet;
  private final LocalGitServer git;
  private final LocalGitRepository repository;
  private TrustSyncOperator operator;
  private final Path workDirectory;
  private final HttpClient http = HttpClient.newHttpClient();

  private LocalTrustSync(LocalFleet fleet, LocalGitServer git, LocalGitRepository repository, TrustSyncOperator operator, Path workDirectory) {
    this.fleet = fleet;
    this.git = git;
    this.repository = repository;
    this.operator = operator;
    this.workDirectory = workDirectory;
  }

  /** Starts everything; {@code progress} hears what is happening, for a person watching. */
  public static LocalTrustSync start(int members, Consumer<String> progress) {
    LocalTrustSync local = prepare(members, progress);
    try {
      local.startOperator(progress);
    } catch (IOException | RuntimeException e) {
      local.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    return local;
  }

  /** The operator, started on what {@link #prepare} set up (the benchmark measures before and after). */
  public synchronized TrustSyncOperator startOperator(Consumer<String> progress) throws IOException {
    if (operator == null) {
      operator = TrustSyncOperator.start(hub(), settings(workDirectory.resolve("cache")));
      progress.accept("operator metrics on http://127.0.0.1:" + operator.metricsPort() + "/metrics");
    }
    return operator;
  }

  /** The hub, the members and the Git server, without the operator. */
  public static LocalTrustSync prepare(int members, Consumer<String> progress) {
    progress.accept("starting a hub and " + members + " member clusters (etcd + kube-apiserver each, on loopback)...");
    LocalFleet fleet = LocalFleet.start(members);
    try {
      progress.accept("control planes ready in " + fleet.startupTime().toMillis() + " ms");
      KubernetesClient hub = fleet.hub().client();
      TrustSyncOperator.installHubCrds(hub);
      hub.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
      LocalGitServer git = LocalGitServer.launch();
      LocalGitRepository repository = git.createRepository("policies");
      Path work = Files.createTempDirectory("trustsync-local");
      progress.accept("Git server on https://127.0.0.1:" + git.httpsPort());
      return new LocalTrustSync(fleet, git, repository, null, work);
    } catch (IOException | RuntimeException e) {
      fleet.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /**
   * The operator's defaults, widened only as far as everything-on-loopback needs: Git servers and
   * member API servers on 127.0.0.1, quick polling, and {@value #NAMESPACE} as the platform
   * namespace. Nothing here is for a real deployment.
   */
  public static TrustSyncOperator.Settings settings(Path cacheDir) {
    return TrustSyncOperator.Settings.defaults(cacheDir)
        .withSources(SourceRules.DEFAULT.allowingLoopback().withMinInterval(Duration.ofSeconds(1)))
        .withMemberAddresses(AddressRules.DEFAULT.allowing(Cidr.parse("127.0.0.0/8")))
        .withTenancy(Tenancy.of(NAMESPACE));
  }

  public LocalGitServer git() {
    return git;
  }

  public LocalFleet fleet() {
    return fleet;
  }

  public TrustSyncOperator operator() {
    return operator;
  }

  public KubernetesClient hub() {
    return fleet.hub().client();
  }

  public Path workDirectory() {
    return workDirectory;
  }

  /** Commits the files of a folder (a policy repository) as the new head; returns the commit id. */
  public String commit(Path folder, String message) {
    return repository.commit(GitCommit.fromDirectory(folder).withMessage(message));
  }

  /** Commits a complete tree given as path -> content. */
  public String commit(SortedMap<String, byte[]> files, String message) {
    return repository.commit(new GitCommit(files, message, "Platform Team", "platform@example.com", java.time.Instant.now(), null));
  }

  public static SortedMap<String, byte[]> filesOf(Path folder) {
    return new TreeMap<>(GitCommit.fromDirectory(folder).files());
  }

  /** Registers a member cluster as a MemberCluster named {@code name} with these labels, with the administrator's credentials. */
  public void register(LocalControlPlane member, String name, Map<String, String> labels) {
    register(name, labels, member.kubeconfig(), "5s");
  }

  /** Registers a member cluster whose kubeconfig Secret holds {@code kubeconfig} (credentials of its own), probed every {@code probeInterval}. */
  public void register(String name, Map<String, String> labels, String kubeconfig, String probeInterval) {
    KubernetesClient hub = hub();
    String secret = name + "-kubeconfig";
    hub.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(secret).withNamespace(NAMESPACE).endMetadata()
        .withStringData(Map.of("kubeconfig", kubeconfig)).build()).serverSideApply();
    MemberCluster cluster = new MemberCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).withLabels(labels).build());
    cluster.setSpec(new MemberClusterSpec());
    cluster.getSpec().kubeconfigSecretRef = new MemberClusterSpec.KubeconfigSecretReference();
    cluster.getSpec().kubeconfigSecretRef.name = secret;
    cluster.getSpec().probeInterval = probeInterval;
    hub.resource(cluster).serverSideApply();
  }

  /** The PolicySource for the local repository, polled every {@code interval}, with a webhook. */
  public void createSource(String interval) {
    KubernetesClient hub = hub();
    hub.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("webhook").withNamespace(NAMESPACE).endMetadata()
        .withStringData(Map.of("token", WEBHOOK_TOKEN)).build()).serverSideApply();
    PolicySource source = new PolicySource();
    source.setMetadata(new ObjectMetaBuilder().withName(SOURCE).withNamespace(NAMESPACE).build());
    source.setSpec(new PolicySourceSpec());
    // HTTPS with the Git server's own CA, as a real source would be
    hub.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("git-ca").withNamespace(NAMESPACE).endMetadata()
        .withStringData(Map.of("ca.crt", git.certificateAuthorityPem())).build()).serverSideApply();
    source.getSpec().url = repository.httpsUrl().toString();
    source.getSpec().secretRef = new SecretReference("git-ca");
    source.getSpec().interval = interval;
    source.getSpec().webhookSecretRef = new SecretReference("webhook");
    hub.resource(source).serverSideApply();
  }

  public void createDistribution(String name, String environment, Map<String, String> selector, String targetNamespace, String driftMode) {
    TrustDistribution distribution = new TrustDistribution();
    distribution.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    TrustDistributionSpec spec = new TrustDistributionSpec();
    spec.sourceRef = new TrustDistributionSpec.SourceReference();
    spec.sourceRef.name = SOURCE;
    spec.environment = environment;
    spec.targetNamespace = targetNamespace;
    spec.driftMode = driftMode;
    spec.clusterSelector = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().withMatchLabels(selector).build();
    distribution.setSpec(spec);
    hub().resource(distribution).serverSideApply();
  }

  public TrustDistribution distribution(String name) {
    return hub().resources(TrustDistribution.class).inNamespace(NAMESPACE).withName(name).get();
  }

  /** The targets of a distribution, by member name. */
  public java.util.List<io.trustsync.crd.target.TrustDistributionTarget> targets(String distribution) {
    return hub().resources(io.trustsync.crd.target.TrustDistributionTarget.class).inNamespace(NAMESPACE)
        .withLabel(io.trustsync.operator.target.TargetNames.OWNER_LABEL, io.trustsync.operator.target.TargetNames.labelValue(distribution))
        .list().getItems().stream().sorted(java.util.Comparator.comparing(t -> t.getSpec().member)).toList();
  }

  public io.trustsync.crd.target.TrustDistributionTarget target(String distribution, String member) {
    return hub().resources(io.trustsync.crd.target.TrustDistributionTarget.class).inNamespace(NAMESPACE)
        .withName(io.trustsync.operator.target.TargetNames.target(distribution, member)).get();
  }

  public PolicySource source() {
    return hub().resources(PolicySource.class).inNamespace(NAMESPACE).withName(SOURCE).get();
  }

  /** Sends a GitHub-style push webhook, signed with the source's secret, as a Git host would. */
  public int pushWebhook(String commit) {
    byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + commit + "\"}").getBytes(StandardCharsets.UTF_8);
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + operator.webhookPort() + "/hooks/" + NAMESPACE + "/" + SOURCE))
          .header("X-GitHub-Event", "push")
          .header("X-Hub-Signature-256", WebhookSignatures.sign(body, WEBHOOK_TOKEN.getBytes(StandardCharsets.UTF_8)))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Writes each cluster's kubeconfig next to the work directory so a person can use kubectl. */
  public Map<String, Path> writeKubeconfigs() {
    Map<String, Path> files = new TreeMap<>();
    for (LocalControlPlane plane : fleet.all()) {
      Path file = workDirectory.resolve(plane.name() + ".kubeconfig");
      try {
        Files.writeString(file, plane.kubeconfig());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      files.put(plane.name(), file);
    }
    return files;
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.close();
    }
    git.close();
    fleet.close();
  }
}
