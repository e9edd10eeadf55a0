package io.trustsync.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.ProjectFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Everything under manifests/ renders with the real kubectl and a real API server accepts it. */
class ManifestsIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);

  @BeforeAll
  static void prepare() throws Exception {
    // Namespaced objects can only be dry-run into a namespace that exists.
    Manifests.apply(fleet.hub(), Manifests.load(fleet.hub().client(), Manifests.folder("hub").resolve("namespace.yaml")));
    Manifests.apply(fleet.member(0), Manifests.load(fleet.member(0).client(), Manifests.folder("member").resolve("namespace.yaml")));
    // The Prometheus Operator is not installed here: stand-in CRDs with the real names let
    // the API server check apiVersion, kind and metadata (the schema is checked below, by hand).
    fleet.hub().installCrds(Path.of(ManifestsIT.class.getResource("/monitoring.coreos.com-crds.yaml").toURI()));
  }

  @Test
  void everyKustomizationRendersAndIsAcceptedByServerSideApplyDryRun() {
    Map<String, LocalControlPlane> where = Map.of(
        "hub", fleet.hub(), "hub-all-namespaces", fleet.hub(), "hub-metrics-auth", fleet.hub(), "member", fleet.member(0),
        "hub-sharded", fleet.hub(), "hub-azure", fleet.hub(), "hub-audit", fleet.hub(),
        "monitoring", fleet.hub());
    where.forEach((name, plane) -> {
      List<HasMetadata> objects = Manifests.load(plane.client(), Manifests.kustomize(name));
      assertThat(objects).as(name).isNotEmpty();
      dryRun(plane.client(), objects);
    });
  }

  @Test
  void everyYamlFileIsAcceptedOnItsOwnToo() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(ProjectFolder.root().resolve("manifests"))) {
      files = walk.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
    }
    assertThat(files).extracting(f -> f.getFileName().toString())
        .contains("deployment.yaml", "rbac.yaml", "hub-is-member.yaml", "servicemonitor.yaml", "prometheusrule.yaml");
    // manifests/member/profiles is written for Flux's namespace, which exists wherever Flux runs
    fleet.member(0).client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("flux-system")
        .endMetadata().build()).serverSideApply();
    for (Path file : files) {
      LocalControlPlane plane = file.startsWith(Manifests.folder("member")) && !file.endsWith("hub-is-member.yaml") ? fleet.member(0) : fleet.hub();
      dryRun(plane.client(), Manifests.load(plane.client(), file));
    }
  }

  @Test
  void theHubKustomizationHoldsTheHubCrdsAndAHardenedTwoReplicaDeployment() {
    List<HasMetadata> hub = Manifests.load(fleet.hub().client(), Manifests.kustomize("hub"));
    assertThat(hub).filteredOn(o -> o.getKind().equals("CustomResourceDefinition")).extracting(o -> o.getMetadata().getName())
        .containsExactlyInAnyOrder("policysources.trustsync.io", "memberclusters.trustsync.io", "trustdistributions.trustsync.io", "trustdistributiontargets.trustsync.io",
            "azureclusterdiscoveries.trustsync.io", "signeraudits.trustsync.io",
            "truststores.trustsync.io", "trustpolicies.trustsync.io");
    Deployment deployment = (Deployment) hub.stream().filter(o -> o instanceof Deployment).findFirst().orElseThrow();
    var pod = deployment.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().getFirst();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(container.getArgs()).containsExactly("operator", "--namespace=trustsync-system", "--leader-election",
        "--cache-dir=/var/cache/trustsync");
    // The image runs these arguments: they must be what the real command line accepts.
    var parsed = io.trustsync.cli.TrustSyncCommand.commandLine(container.getArgs().toArray(String[]::new))
        .parseArgs(container.getArgs().toArray(String[]::new));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("operator");
    assertThat(parsed.subcommand().matchedOptionValue("--namespace", "")).isEqualTo("trustsync-system");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/var/cache/trustsync"));
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    // metrics and probes on one port, webhooks on another, matching the operator's defaults
    assertThat(container.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("metrics:8080", "webhooks:8090");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
    assertThat(parsed.subcommand().matchedOptionValue("--metrics-address", "")).isEmpty();
    var operatorOptions = parsed.subcommand().commandSpec();
    assertThat(operatorOptions.findOption("--metrics-address").defaultValue()).isEqualTo("0.0.0.0:8080");
    assertThat(operatorOptions.findOption("--webhook-address").defaultValue()).isEqualTo("0.0.0.0:8090");
    // the metrics port is open to labelled namespaces only; webhooks to anyone
    var policy = (io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy) hub.stream()
        .filter(o -> o.getKind().equals("NetworkPolicy")).findFirst().orElseThrow();
    assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> {
      assertThat(rule.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(8080);
      assertThat(rule.getFrom()).isNotEmpty();
    });
    List<HasMetadata> authenticated = Manifests.load(fleet.hub().client(), Manifests.kustomize("hub-metrics-auth"));
    Deployment withAuth = (Deployment) authenticated.stream().filter(o -> o instanceof Deployment).findFirst().orElseThrow();
    assertThat(withAuth.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs()).contains("--metrics-auth");

    // The ServiceMonitor finds the Service, by label and port name.
    Service service = (Service) hub.stream().filter(o -> o instanceof Service).findFirst().orElseThrow();
    var monitor = Manifests.load(fleet.hub().client(), Manifests.kustomize("monitoring")).stream()
        .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) ((io.fabric8.kubernetes.api.model.GenericKubernetesResource) monitor).getAdditionalProperties().get("spec");
    @SuppressWarnings("unchecked")
    Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
    @SuppressWarnings("unchecked")
    Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).getFirst();
    assertThat(service.getSpec().getPorts()).anyMatch(p -> p.getName().equals(endpoint.get("port")) && p.getPort() == 8080);
    assertThat(endpoint.get("path")).isEqualTo("/metrics");
  }

  @Test
  void theShardedKustomizationRunsEveryShardUnderItsOwnLease() {
    List<HasMetadata> sharded = Manifests.load(fleet.hub().client(), Manifests.kustomize("hub-sharded"));
    Map<String, Deployment> deployments = new java.util.TreeMap<>();
    sharded.stream().filter(o -> o instanceof Deployment).forEach(o -> deployments.put(o.getMetadata().getName(), (Deployment) o));
    assertThat(deployments).containsOnlyKeys("trustsync", "trustsync-shard-b", "trustsync-shard-c");
    Map<String, String> leases = new java.util.TreeMap<>();
    for (HasMetadata object : sharded) {
      if (object instanceof io.fabric8.kubernetes.api.model.rbac.Role role) {
        role.getRules().stream().filter(r -> r.getResources().contains("leases") && !r.getResourceNames().isEmpty())
            .forEach(r -> leases.put(role.getMetadata().getName(), String.join(",", r.getResourceNames())));
      }
    }
    assertThat(leases).containsEntry("trustsync-leader-election", "trustsync-leader")
        .containsEntry("trustsync-shard-leader-election-b", "trustsync-leader-b")
        .containsEntry("trustsync-shard-leader-election-c", "trustsync-leader-c");
    for (String key : List.of("b", "c")) {
      Deployment shard = deployments.get("trustsync-shard-" + key);
      var args = shard.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs();
      // the command line accepts them, and they come to this shard's key and Lease
      var command = io.trustsync.cli.TrustSyncCommand.commandLine(args.toArray(String[]::new));
      var parsed = command.parseArgs(args.toArray(String[]::new));
      var settings = ((io.trustsync.cli.OperatorCommand) parsed.subcommand().commandSpec().userObject()).settings();
      assertThat(settings.sharding().key()).isEqualTo(key);
      assertThat(settings.leaderElection().leaseName()).isEqualTo("trustsync-leader-" + key);
      assertThat(settings.http().webhooks()).isNull();
      // its pods are its own: neither the default shard's Deployment nor the other shard selects them
      var podLabels = shard.getSpec().getTemplate().getMetadata().getLabels();
      deployments.forEach((name, other) -> {
        if (!name.equals(shard.getMetadata().getName())) {
          assertThat(podLabels.entrySet().containsAll(other.getSpec().getSelector().getMatchLabels().entrySet())).as(name).isFalse();
        }
      });
    }
  }

  @Test
  void noOverlayLetsTheOperatorReadSecretsClusterWide() {
    for (String overlay : List.of("hub", "hub-all-namespaces", "hub-metrics-auth", "hub-sharded", "hub-azure", "hub-audit")) {
      List<HasMetadata> objects = Manifests.load(fleet.hub().client(), Manifests.kustomize(overlay));
      Map<String, io.fabric8.kubernetes.api.model.rbac.ClusterRole> roles = new java.util.HashMap<>();
      objects.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole)
          .forEach(o -> roles.put(o.getMetadata().getName(), (io.fabric8.kubernetes.api.model.rbac.ClusterRole) o));
      objects.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding)
          .map(o -> (io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding) o)
          .forEach(binding -> {
            var role = roles.get(binding.getRoleRef().getName());
            assertThat(role).as(overlay + ": " + binding.getMetadata().getName()).isNotNull();
            assertThat(role.getRules()).as(overlay + ": cluster-wide " + role.getMetadata().getName())
                .noneMatch(rule -> rule.getResources() != null && (rule.getResources().contains("secrets") || rule.getResources().contains("*")));
          });
      assertThat(objects).as(overlay + " grants Secrets in trustsync-system")
          .anyMatch(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.RoleBinding binding
              && binding.getRoleRef().getName().equals("trustsync-secrets") && "trustsync-system".equals(binding.getMetadata().getNamespace()));
    }
  }

  private static void dryRun(KubernetesClient client, List<HasMetadata> objects) {
    for (HasMetadata object : objects) {
      HasMetadata accepted = client.resource(object).dryRun().fieldManager(Manifests.FIELD_MANAGER).forceConflicts().serverSideApply();
      assertThat(accepted.getMetadata().getName()).as(object.getKind()).isEqualTo(object.getMetadata().getName());
    }
  }
}
