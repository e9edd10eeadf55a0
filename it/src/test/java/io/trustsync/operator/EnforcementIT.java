package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.EnforcementSpec;
import io.trustsync.crd.distribution.RolloutSpec;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.target.TrustDistributionTargetStatus;
import io.trustsync.cli.CommandRun;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.GatekeeperCrds;
import io.trustsync.testing.RatifyCrds;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warn, then deny, on real API servers with Gatekeeper's CRDs and the RatifyVerification
 * Constraint CRD that Gatekeeper's code generates from Ratify's ConstraintTemplate. Gatekeeper's
 * audit does not run here (it would need Ratify's verification server behind its external data
 * provider); the test writes the audit results into the Constraint's status in Gatekeeper's exact
 * shape (auditTimestamp, totalViolations, violations[]), as Gatekeeper's audit manager does.
 */
class EnforcementIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);
  static final String CONSTRAINTS = "constraints.gatekeeper.sh/v1beta1";

  @Test
  void aScopeWarnsThenDeniesOnlyOnceTheAuditIsCleanStageByStage(@TempDir Path cache) throws Exception {
    LocalControlPlane dev = fleet.member(0);
    LocalControlPlane prod = fleet.member(1);
    for (LocalControlPlane member : fleet.members()) {
      member.installCrds(RatifyCrds.v1());
    }
    dev.installCrds(GatekeeperCrds.folder()); // prod gets Gatekeeper later

    HubScenario hub = new HubScenario(fleet.hub(), "enforce");
    String kubeconfig = java.nio.file.Files.writeString(cache.resolve("hub.kubeconfig"), fleet.hub().kubeconfig()).toString();
    String targetNamespace = "trust-" + hub.namespace;
    String constraint = io.trustsync.rendering.GatekeeperConstraint.name(hub.namespace, "production", "apps");
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
            .withNamespace(hub.namespace))) {
      LocalGitRepository repo = git.createRepository(hub.namespace);
      repo.commit(example(Map.of()));
      hub.registerMembers(List.of(dev), Map.of("environment", "dev"));
      hub.registerMembers(List.of(prod), Map.of("environment", "prod"));
      hub.httpsSource("policies", git, repo, spec -> {});
      hub.distribution("production", "production", targetNamespace, spec -> {
        spec.profile = "ratify-v1";
        spec.rollout = new RolloutSpec();
        RolloutSpec.Stage devStage = new RolloutSpec.Stage();
        devStage.name = "dev";
        devStage.selector = new LabelSelectorBuilder().addToMatchLabels("environment", "dev").build();
        devStage.warnFor = "1s"; // dev warns for a moment; prod for the distribution's hour
        RolloutSpec.Stage prodStage = new RolloutSpec.Stage();
        prodStage.name = "prod";
        spec.rollout.stages = List.of(devStage, prodStage);
        spec.enforcement = new EnforcementSpec();
        spec.enforcement.warnFor = "1h";
        spec.enforcement.cleanFor = "2s";
        EnforcementSpec.Scope apps = new EnforcementSpec.Scope();
        apps.name = "apps";
        apps.namespaceSelector = new LabelSelectorBuilder().addToMatchLabels("team", "apps").build();
        apps.excludedNamespaces = List.of("kube-system");
        spec.enforcement.scopes = List.of(apps);
      });

      // dev gets the trust configuration and its Constraint, in warn, matching the scope's namespaces
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(constraint(dev.client(), constraint))
          .as(() -> "the target says " + describe(hub, dev.name())).isNotNull());
      GenericKubernetesResource warning = constraint(dev.client(), constraint);
      assertThat(spec(warning).get("enforcementAction")).isEqualTo("warn");
      assertThat(spec(warning).get("match").toString()).contains("team=apps").contains("excludedNamespaces=[kube-system]").contains("kinds=[Pod]");
      acceptRatifyObjects(dev.client(), targetNamespace);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(enforcement(hub, dev.name()).since).isNotNull());
      Instant devSince = Instant.parse(enforcement(hub, dev.name()).since);

      // the audit finds two Pods whose image does not verify: dev keeps warning, and the report names them
      writeAudit(dev.client(), constraint, devSince.plusSeconds(1), 2, List.of(
          violation("shop", "legacy-0", "registry.example/shop/legacy:1.0"), violation("shop", "legacy-1", "registry.example/shop/legacy:1.0")));
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        TrustDistributionStatus.EnforcementStatus apps = hub.distribution("production").getStatus().enforcement.getFirst();
        assertThat(apps.violations).isEqualTo(2);
        assertThat(apps.waitingFor).contains(dev.name() + ": 2 violation(s)");
        assertThat(apps.offenders).hasSize(2).allSatisfy(o -> {
          assertThat(o.cluster).isEqualTo(dev.name());
          assertThat(o.namespace).isEqualTo("shop");
          assertThat(o.image).isEqualTo("registry.example/shop/legacy:1.0");
        });
      });
      assertThat(spec(constraint(dev.client(), constraint)).get("enforcementAction")).as("a dirty report never flips").isEqualTo("warn");
      CommandRun status = CommandRun.of("rollout", "status", "production", "--kubeconfig", kubeconfig, "-n", hub.namespace);
      assertThat(status.out()).as(status.err()).contains("ENFORCEMENT").contains(dev.name() + " shop/legacy-0 registry.example/shop/legacy:1.0")
          .contains(dev.name() + ": 2 violation(s)");
      assertThat(operator.metrics().scrape())
          .contains("trustsync_enforcement_violations{cluster=\"" + dev.name() + "\",distribution=\"" + hub.namespace + "/production\",scope=\"apps\"} 2.0");

      // the owners fixed their images: the next audit is clean, and after cleanFor dev denies
      writeAudit(dev.client(), constraint, Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1), 0, List.of());
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(spec(constraint(dev.client(), constraint)).get("enforcementAction")).isEqualTo("deny"));
      assertThat(hub.eventMessages()).anyMatch(m -> m.startsWith("EnforcementDenied: cluster " + dev.name() + ": scope apps now denies"));

      // prod got its stage (dev is Synced), but has no Gatekeeper: nothing half-applied, and the reason says what to install
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var target = hub.target("production", prod.name());
        assertThat(target).isNotNull();
        assertThat(target.getStatus()).isNotNull();
        assertThat(target.getStatus().state).isEqualTo("Failed");
        assertThat(target.getStatus().message).contains("needs Gatekeeper's RatifyVerification kind in cluster " + prod.name())
            .contains("install Gatekeeper and Ratify's ConstraintTemplate");
      });
      assertThat(prod.client().genericKubernetesResources("config.ratify.deislabs.io/v1beta1", "NamespacedVerifier").inNamespace(targetNamespace)
          .list().getItems()).as("no trust configuration without its switch").isEmpty();

      // Gatekeeper arrives on prod, and with it a Constraint of that name another distribution labelled: refused, not taken over
      prod.installCrds(GatekeeperCrds.folder());
      GenericKubernetesResource theirs = new GenericKubernetesResource();
      theirs.setApiVersion(CONSTRAINTS);
      theirs.setKind("RatifyVerification");
      theirs.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(constraint)
          .withLabels(Map.of("trustsync.io/distribution", "elsewhere.production")).build());
      theirs.setAdditionalProperty("spec", Map.of("enforcementAction", "dryrun"));
      prod.client().genericKubernetesResources(CONSTRAINTS, "RatifyVerification").resource(theirs).create();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(hub.target("production", prod.name()).getStatus().message).contains("RatifyVerification " + constraint + " already exists")
              .contains("not this distribution's"));
      assertThat(spec(constraint(prod.client(), constraint)).get("enforcementAction")).isEqualTo("dryrun");
      prod.client().genericKubernetesResources(CONSTRAINTS, "RatifyVerification").withName(constraint).delete();

      // then prod warns; a clean audit is not enough before its hour
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(constraint(prod.client(), constraint)).isNotNull());
      acceptRatifyObjects(prod.client(), targetNamespace);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(enforcement(hub, prod.name()).since).isNotNull());
      writeAudit(prod.client(), constraint, Instant.parse(enforcement(hub, prod.name()).since).plusSeconds(1), 0, List.of());
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        TrustDistributionStatus.EnforcementStatus apps = hub.distribution("production").getStatus().enforcement.getFirst();
        assertThat(apps.deny).isEqualTo(1);
        assertThat(apps.warn).isEqualTo(1);
        assertThat(apps.offenders).isEmpty();
        assertThat(apps.waitingFor).contains(prod.name() + ": warns until");
      });
      assertThat(spec(constraint(prod.client(), constraint)).get("enforcementAction")).isEqualTo("warn");

      // someone turns dev's switch back to dryrun by hand: drift, put back to deny
      GenericKubernetesResource live = constraint(dev.client(), constraint);
      spec(live).put("enforcementAction", "dryrun");
      dev.client().genericKubernetesResources(CONSTRAINTS, "RatifyVerification").resource(live).update();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(spec(constraint(dev.client(), constraint)).get("enforcementAction")).isEqualTo("deny"));
      assertThat(hub.eventMessages()).anyMatch(m -> m.startsWith("DriftDetected: Modified RatifyVerification/" + constraint));

      // no longer managed: the Constraints go, the trust configuration stays
      fleet.hub().client().resources(io.trustsync.crd.distribution.TrustDistribution.class).inNamespace(hub.namespace).withName("production")
          .edit(d -> {
            d.getSpec().enforcement = null;
            return d;
          });
      for (LocalControlPlane member : fleet.members()) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(constraint(member.client(), constraint)).isNull());
        assertThat(member.client().genericKubernetesResources("config.ratify.deislabs.io/v1beta1", "NamespacedVerifier").inNamespace(targetNamespace)
            .list().getItems()).isNotEmpty();
      }
    }
  }

  private static String describe(HubScenario hub, String member) {
    var target = hub.target("production", member);
    return target == null ? "(no target)" : io.fabric8.kubernetes.client.utils.Serialization.asYaml(target.getStatus())
        + io.fabric8.kubernetes.client.utils.Serialization.asYaml(target.getSpec()) + io.fabric8.kubernetes.client.utils.Serialization.asYaml(hub.distribution("production").getStatus());
  }

  private static GenericKubernetesResource constraint(KubernetesClient member, String name) {
    return member.genericKubernetesResources(CONSTRAINTS, "RatifyVerification").withName(name).get();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource object) {
    return (Map<String, Object>) object.getAdditionalProperties().get("spec");
  }

  private static TrustDistributionTargetStatus.EnforcementStatus enforcement(HubScenario hub, String member) {
    var target = hub.target("production", member);
    assertThat(target).isNotNull();
    assertThat(target.getStatus()).isNotNull();
    assertThat(target.getStatus().enforcement).isNotEmpty();
    return target.getStatus().enforcement.getFirst();
  }

  /** Ratify's controller accepted the trust stores and the verifier (status.issuccess), so the cluster is Synced. */
  private static void acceptRatifyObjects(KubernetesClient member, String namespace) {
    for (String kind : List.of("NamespacedKeyManagementProvider", "NamespacedVerifier")) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(member.genericKubernetesResources("config.ratify.deislabs.io/v1beta1", kind).inNamespace(namespace).list().getItems()).isNotEmpty());
      for (GenericKubernetesResource object : member.genericKubernetesResources("config.ratify.deislabs.io/v1beta1", kind).inNamespace(namespace)
          .list().getItems()) {
        object.setAdditionalProperty("status", Map.of("issuccess", true));
        member.genericKubernetesResources("config.ratify.deislabs.io/v1beta1", kind).inNamespace(namespace).resource(object).updateStatus();
      }
    }
  }

  /** One entry of Gatekeeper's status.violations for a Pod whose image Ratify's template reported. */
  private static Map<String, Object> violation(String namespace, String pod, String image) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("enforcementAction", "warn");
    v.put("group", "");
    v.put("version", "v1");
    v.put("kind", "Pod");
    v.put("namespace", namespace);
    v.put("name", pod);
    v.put("message", "Time=2026-12-02T10:00:00Z, failed to verify the artifact: " + image + ", trace-id: 6d3c0a");
    return v;
  }

  /** What Gatekeeper's audit writes into a Constraint's status after a run. */
  private static void writeAudit(KubernetesClient member, String name, Instant auditTimestamp, long total, List<Map<String, Object>> violations) {
    GenericKubernetesResource current = constraint(member, name);
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("auditTimestamp", auditTimestamp.truncatedTo(ChronoUnit.SECONDS).toString());
    status.put("totalViolations", total);
    status.put("violations", violations);
    current.setAdditionalProperty("status", status);
    member.genericKubernetesResources(CONSTRAINTS, "RatifyVerification").resource(current).updateStatus();
  }
}
