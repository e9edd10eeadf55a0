package io.trustsync.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.operator.TrustSyncOperator;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.ProjectFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * charts/trustsync with the real Helm CLI: lint and the values schema; rendering exactly what the
 * kustomize bases apply (so the two cannot drift apart); a real install, upgrade and uninstall on a
 * real API server, with the operator running as the chart's ServiceAccount in between.
 */
class HelmChartIT {
  @RegisterExtension static final Fleet fleet = Fleet.dedicated(1);

  static final String NS = "trustsync-system";
  static final String HUB_SA = "system:serviceaccount:trustsync-system:trustsync";
  static final String MEMBER_SA = "system:serviceaccount:trustsync-system:trustsync-member";
  static final ObjectMapper YAML = new YAMLMapper();
  static final List<String> HELM_LABELS = List.of("app.kubernetes.io/instance", "app.kubernetes.io/managed-by",
      "app.kubernetes.io/version", "helm.sh/chart");

  static final List<String> CRDS = List.of("policysources.trustsync.io", "memberclusters.trustsync.io", "trustdistributions.trustsync.io",
      "trustdistributiontargets.trustsync.io", "azureclusterdiscoveries.trustsync.io", "signeraudits.trustsync.io", "truststores.trustsync.io",
      "trustpolicies.trustsync.io");

  @TempDir Path work;

  @Test
  void lintsCleanlyAndTheSchemaRefusesValuesTheOperatorWouldNot() {
    Helm helm = Helm.forPlane(null, work.resolve("helm"));

    assertThat(helm.run("lint", "--strict", Helm.CHART.toString())).contains("1 chart(s) linted, 0 chart(s) failed");

    Helm.Result notABoolean = helm.tryRun("template", "t", Helm.CHART.toString(), "--set", "operator.sources.allowInsecureHttp=yes");
    assertThat(notABoolean.exitCode()).isNotZero();
    assertThat(notABoolean.errors()).contains("allowInsecureHttp");
    Helm.Result typo = helm.tryRun("template", "t", Helm.CHART.toString(), "--set", "operator.sources.allowInsecureHtp=true");
    assertThat(typo.exitCode()).as("an unknown value is refused, not ignored").isNotZero();
    assertThat(typo.errors()).contains("allowInsecureHtp");
    Helm.Result badDuration = helm.tryRun("template", "t", Helm.CHART.toString(), "--set", "leaderElection.leaseDuration=15");
    assertThat(badDuration.exitCode()).isNotZero();
    assertThat(badDuration.errors()).contains("leaseDuration");
  }

  @Test
  void rendersExactlyWhatTheKustomizeBasesApply() throws Exception {
    Helm helm = Helm.forPlane(null, work.resolve("helm"));
    assertSameObjects(helm, "hub", List.of(), false);
    assertSameObjects(helm, "hub-all-namespaces", List.of("--set", "watchAllNamespaces=true"), false);
    assertSameObjects(helm, "hub-metrics-auth", List.of("--set", "operator.metrics.auth=true",
        "--set", "operator.metrics.readers[0].name=prometheus-k8s", "--set", "operator.metrics.readers[0].namespace=monitoring"), false);
    assertSameObjects(helm, "hub-azure", List.of("--set", "operator.azure.workloadIdentity=true"), false);
    assertSameObjects(helm, "hub-audit", List.of("--set", "operator.signerAudit.enabled=true"), false);
    assertSameObjects(helm, "monitoring", List.of("--set", "metrics.serviceMonitor.enabled=true",
        "--set", "metrics.prometheusRule.enabled=true"), true);
  }

  /** The kustomize base's objects (without its Namespace) equal the chart's, up to Helm's own labels and annotation. */
  private void assertSameObjects(Helm helm, String base, List<String> values, boolean onlyTheBasesKinds) throws Exception {
    Map<String, JsonNode> kustomize = objects(Manifests.kustomize(base));
    kustomize.keySet().removeIf(key -> key.startsWith("Namespace/"));
    List<String> args = new ArrayList<>(List.of("template", "trustsync", Helm.CHART.toString(), "-n", NS));
    args.addAll(values);
    Map<String, JsonNode> chart = objects(helm.run(args.toArray(String[]::new)));
    if (onlyTheBasesKinds) {
      chart.keySet().removeIf(key -> kustomize.keySet().stream().noneMatch(k -> k.startsWith(key.substring(0, key.indexOf('/') + 1))));
    }
    assertThat(chart.keySet()).as("objects of the chart with %s and of manifests/%s", values, base).isEqualTo(kustomize.keySet());
    for (String key : kustomize.keySet()) {
      assertThat(YAML.writeValueAsString(chart.get(key))).as("%s: chart with %s against manifests/%s", key, values, base)
          .isEqualTo(YAML.writeValueAsString(kustomize.get(key)));
    }
  }

  /** kind/namespace/name to the object, with Helm's labels and resource policy taken out and keys sorted. */
  static Map<String, JsonNode> objects(String multiDocument) throws Exception {
    Map<String, JsonNode> objects = new TreeMap<>();
    var parser = new YAMLFactory().createParser(multiDocument);
    var it = YAML.readValues(parser, JsonNode.class);
    while (it.hasNext()) {
      JsonNode object = it.next();
      if (object == null || object.isMissingNode() || object.isNull() || object.isEmpty()) {
        continue;
      }
      strip((ObjectNode) object.path("metadata"));
      if (object.at("/spec/template/metadata") instanceof ObjectNode template) {
        strip(template);
      }
      String key = object.path("kind").asText() + "/" + object.at("/metadata/namespace").asText() + "/" + object.at("/metadata/name").asText();
      objects.put(key, sorted(object));
    }
    return objects;
  }

  private static void strip(ObjectNode metadata) {
    if (metadata.get("labels") instanceof ObjectNode labels) {
      HELM_LABELS.forEach(labels::remove);
    }
    if (metadata.get("annotations") instanceof ObjectNode annotations) {
      annotations.remove("helm.sh/resource-policy");
      if (annotations.isEmpty()) {
        metadata.remove("annotations");
      }
    }
  }

  private static JsonNode sorted(JsonNode node) {
    ObjectMapper sorting = new ObjectMapper().configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    try {
      return sorting.readTree(sorting.writeValueAsString(sorting.treeToValue(node, Object.class)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void installsUpgradesAndUninstallsAndTheOperatorRunsAsTheChartsServiceAccount() throws Exception {
    LocalControlPlane hub = fleet.hub();
    LocalControlPlane member = fleet.member(0);
    KubernetesClient admin = hub.client();
    Helm helm = Helm.forPlane(hub, work.resolve("helm"));

    // Every object, with every switch on, passes the real API server's validation and admission.
    Manifests.apply(hub, Manifests.load(admin, ProjectFolder.root().resolve("it/src/test/resources/monitoring.coreos.com-crds.yaml")));
    Path everything = work.resolve("everything.yaml");
    Files.writeString(everything, helm.run("template", "trustsync", Helm.CHART.toString(), "-n", NS, "--set", "watchAllNamespaces=true",
        "--set", "operator.metrics.auth=true", "--set", "metrics.serviceMonitor.enabled=true",
        "--set", "metrics.prometheusRule.enabled=true", "--set", "metrics.dashboard.enabled=true",
        "--set", "operator.members.serviceAccountTokens=true"));
    assertThat(Files.readString(everything)).as("keyless members: the flag and the one extra rule")
        .contains("- --allow-service-account-token-members").contains("resources: [serviceaccounts/token]");
    assertThat(helm.run("template", "trustsync", Helm.CHART.toString(), "-n", NS)).as("both off by default")
        .doesNotContain("resources: [serviceaccounts/token]").doesNotContain("- --allow-service-account-token-members");
    Manifests.kubectl(hub, "create", "namespace", NS);
    assertThat(Manifests.kubectl(hub, "apply", "--dry-run=server", "-f", everything.toString())).contains("deployment.apps/trustsync created (server dry run)");

    // The fleet applied the CRDs before Helm, as `kubectl apply -k manifests/hub` would have:
    // the release takes them over (docs/install.md, "From kustomize to Helm").
    helm.run("install", "trustsync", Helm.CHART.toString(), "-n", NS, "--take-ownership", "--force-conflicts");
    assertThat(admin.apps().deployments().inNamespace(NS).withName("trustsync").get().getSpec().getTemplate().getSpec().getContainers()
        .getFirst().getArgs()).containsExactly("operator", "--namespace=" + NS, "--leader-election", "--cache-dir=/var/cache/trustsync");
    assertThat(admin.apiextensions().v1().customResourceDefinitions().withName("trustdistributions.trustsync.io").get()
        .getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");

    // The operator under the chart's RBAC: a member, a source and a distribution become Ready.
    Manifests.apply(member, Manifests.load(member.client(), Manifests.kustomize("member")));
    try (LocalGitServer git = LocalGitServer.launch();
        KubernetesClient asChart = hub.newClient(HUB_SA);
        TrustSyncOperator operator = TrustSyncOperator.start(asChart, settings(work.resolve("cache"), "helm-0"))) {
      LocalGitRepository repo = git.createRepository("helm");
      String revision = repo.commit(Manifests.example());
      Manifests.registerProduction(admin, member, MEMBER_SA, repo.httpUrl().toString(), "trust-helm");
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        TrustDistribution live = admin.resources(TrustDistribution.class).inNamespace(NS).withName("production").get();
        assertThat(live.getStatus()).as("status").isNotNull();
        assertThat(live.getStatus().revision).isEqualTo(revision);
        assertThat(live.getStatus().conditions).anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
      });
    }

    // Upgrade: all namespaces, three replicas.
    helm.run("upgrade", "trustsync", Helm.CHART.toString(), "-n", NS, "--set", "watchAllNamespaces=true", "--set", "replicaCount=3");
    var deployment = admin.apps().deployments().inNamespace(NS).withName("trustsync").get();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
        .containsExactly("operator", "--leader-election", "--cache-dir=/var/cache/trustsync", "--platform-namespace=" + NS);
    assertThat(admin.rbac().clusterRoleBindings().withName("trustsync").get()).isNotNull();
    assertThat(admin.rbac().roleBindings().inNamespace(NS).withName("trustsync").get()).isNull();
    assertThat(helm.run("history", "trustsync", "-n", NS)).contains("Upgrade complete");

    // Uninstall: the operator's objects go; the CRDs, and so the users' objects, stay.
    helm.run("uninstall", "trustsync", "-n", NS);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(admin.apps().deployments().inNamespace(NS).withName("trustsync").get()).isNull();
      assertThat(admin.rbac().clusterRoles().withName("trustsync").get()).isNull();
    });
    assertThat(admin.apiextensions().v1().customResourceDefinitions().withName("trustdistributions.trustsync.io").get()).isNotNull();
    assertThat(admin.resources(TrustDistribution.class).inNamespace(NS).withName("production").get()).isNotNull();
  }

  /** The operator as a pod of the chart would run it, on loopback. */
  static TrustSyncOperator.Settings settings(Path cache, String identity) {
    return io.trustsync.testing.TestSettings.loopback(cache).withNamespace(NS)
        .withTenancy(io.trustsync.operator.shared.Tenancy.of(NS))
        .withLeaderElection(new io.trustsync.operator.leader.Leadership.Settings("trustsync-leader", NS, identity,
            Duration.ofSeconds(10), Duration.ofSeconds(8), Duration.ofSeconds(2), false));
  }

}
