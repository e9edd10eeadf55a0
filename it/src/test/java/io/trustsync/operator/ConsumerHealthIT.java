package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.condition;
import static io.trustsync.operator.HubScenario.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.RatifyCrds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster is Ready only when the admission controller reading its objects accepted them. Ratify
 * reports that in each object's status (v1 {@code issuccess}/{@code brieferror}, v2
 * {@code succeeded}/{@code briefError}); here the test writes those statuses through the status
 * subresource of Ratify's real CRDs, as Ratify's controllers do.
 */
class ConsumerHealthIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(1);
  @TempDir static Path cache;
  static LocalGitServer git;
  static TrustSyncOperator operator;

  @BeforeAll
  static void start() throws Exception {
    fleet.member(0).installCrds(RatifyCrds.v1());
    fleet.member(0).installCrds(RatifyCrds.v2());
    git = LocalGitServer.launch();
    operator = TrustSyncOperator.start(fleet.hub().client(), io.trustsync.testing.TestSettings.loopback(cache));
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (git != null) {
      git.close();
    }
  }

  @Test
  void ratifyV2RejectingAnExecutorDegradesTheClusterAndAcceptingItMakesItReady() {
    Distributed setup = distribute("consumer-v2", "ratify-v2");
    HubScenario hub = setup.hub();
    String target = setup.target();
    String revision = setup.revision();
    String member = fleet.member(0).name();
    KubernetesClient client = fleet.member(0).client();

    // applied, but Ratify has said nothing yet: not Ready
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(executors(client, target)).isNotEmpty();
      TrustDistributionTarget t = target(hub, member);
      assertThat(t.getStatus().state).isEqualTo("Applying");
      assertThat(t.getStatus().message).contains("waiting for Ratify");
      assertThat(condition(hub.distribution("production"), "Ready")).isEqualTo("False");
    });

    for (GenericKubernetesResource executor : executors(client, target)) {
      writeStatus(client, executor, Map.of("succeeded", true));
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(target(hub, member).getStatus().state).isEqualTo("Synced");
      assertThat(HubScenario.ready(hub.distribution("production"), revision)).isTrue();
    });

    GenericKubernetesResource rejected = executors(client, target).getFirst();
    writeStatus(client, rejected, Map.of("succeeded", false, "briefError", "failed to create executor: duplicate trust store type ca detected"));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      TrustDistributionTarget t = target(hub, member);
      assertThat(t.getStatus().state).isEqualTo("Degraded");
      assertThat(t.getStatus().message).contains(rejected.getMetadata().getName()).contains("duplicate trust store type ca detected");
      TrustDistribution d = hub.distribution("production");
      assertThat(d.getStatus()).isNotNull();
      assertThat(condition(d, "Ready")).isEqualTo("False");
      assertThat(d.getStatus().summary.degraded).isEqualTo(1);
      assertThat(d.getStatus().conditions).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("Ready");
        assertThat(c.getReason()).isEqualTo("ConsumerRejected");
      });
    });

    writeStatus(client, executors(client, target).getFirst(), Map.of("succeeded", true));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(HubScenario.ready(hub.distribution("production"), revision)).isTrue());
  }

  @Test
  void ratifyV1ReportingAFailedVerifierDegradesTheCluster() {
    Distributed setup = distribute("consumer-v1", "ratify-v1");
    HubScenario hub = setup.hub();
    String target = setup.target();
    String member = fleet.member(0).name();
    KubernetesClient client = fleet.member(0).client();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(client.genericKubernetesResources("config.ratify.deislabs.io/v1beta1", "NamespacedVerifier").inNamespace(target).list().getItems())
            .isNotEmpty());

    var verifiers = client.genericKubernetesResources("config.ratify.deislabs.io/v1beta1", "NamespacedVerifier").inNamespace(target).list().getItems();
    var providers = client.genericKubernetesResources("config.ratify.deislabs.io/v1beta1", "NamespacedKeyManagementProvider").inNamespace(target)
        .list().getItems();
    providers.forEach(p -> writeStatus(client, p, Map.of("issuccess", true)));
    writeStatus(client, verifiers.getFirst(), Map.of("issuccess", false, "brieferror", "Original Error: trust policy is invalid"));

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      TrustDistributionTarget t = target(hub, member);
      assertThat(t.getStatus().state).isEqualTo("Degraded");
      assertThat(t.getStatus().message).contains("status.issuccess: false").contains("trust policy is invalid");
    });
  }

  @Test
  void theFluxProfileWritesTheVerificationSecretAndSaysWhatFluxWidens() {
    Distributed setup = distribute("consumer-flux", "flux");
    HubScenario hub = setup.hub();
    String target = setup.target();
    String revision = setup.revision();
    KubernetesClient client = fleet.member(0).client();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(HubScenario.ready(hub.distribution("production"), revision)).isTrue();
      var secret = client.secrets().inNamespace(target).withName("production-notation").get();
      assertThat(secret).isNotNull();
      assertThat(secret.getData()).containsKeys("trustpolicy.json", "ca-acme-root-0.pem", "tsa-acme-tsa-0.pem");
      // production's statement trusts a ca and a tsa store, which Flux cannot keep apart
      assertThat(hub.distribution("production").getStatus()).isNotNull();
      assertThat(hub.distribution("production").getStatus().conditions).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("Lossy");
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getMessage()).contains("render.flux.storesMerged");
      });
    });

    // drift on the Secret is seen and put back like any rendered object
    client.secrets().inNamespace(target).withName("production-notation").edit(s -> {
      s.getData().put("trustpolicy.json", java.util.Base64.getEncoder().encodeToString("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return s;
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(new String(java.util.Base64.getDecoder().decode(
        client.secrets().inNamespace(target).withName("production-notation").get().getData().get("trustpolicy.json")))).contains("trustPolicies"));
  }

  @Test
  void anObjectOfTheSameNameThatIsNotTrustSyncsIsNeverTakenOver() {
    KubernetesClient client = fleet.member(0).client();
    Distributed setup = distribute("consumer-foreign", "native", target -> {
      // someone's own TrustPolicy, where the distribution is about to write one of the same name
      client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(target)
          .endMetadata().build()).serverSideApply();
      GenericKubernetesResource theirs = new GenericKubernetesResource();
      theirs.setApiVersion("trustsync.io/v1alpha1");
      theirs.setKind("TrustPolicy");
      theirs.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("production").withNamespace(target)
          .withLabels(Map.of("team", "payments")).build());
      theirs.setAdditionalProperty("spec", Map.of("environment", "theirs", "version", "1.0", "trustPolicies", List.of()));
      client.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(target).resource(theirs).create();
    });
    String member = fleet.member(0).name();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      TrustDistributionTarget t = target(setup.hub(), member);
      assertThat(t.getStatus().state).isEqualTo("Failed");
      assertThat(t.getStatus().message).contains("TrustPolicy " + setup.target() + "/production already exists").contains("not this distribution's");
    });
    var untouched = client.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(setup.target()).withName("production").get();
    assertThat(untouched.getMetadata().getLabels()).containsEntry("team", "payments").doesNotContainKey("trustsync.io/distribution");
    assertThat(untouched.getAdditionalProperties().get("spec").toString()).contains("environment=theirs");

    // once it is gone, the distribution writes its own
    client.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(setup.target()).withName("production").delete();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(HubScenario.ready(setup.hub().distribution("production"), setup.revision())).isTrue());
  }

  private record Distributed(HubScenario hub, String target, String revision) {}

  /** A source with the example repository and a distribution of production with {@code profile} to every member. */
  private static Distributed distribute(String name, String profile) {
    return distribute(name, profile, target -> {});
  }

  /** As above; {@code before} runs with the target namespace before the distribution exists. */
  private static Distributed distribute(String name, String profile, java.util.function.Consumer<String> before) {
    HubScenario hub = new HubScenario(fleet.hub(), name);
    LocalGitRepository repo = git.createRepository(hub.namespace);
    hub.registerMembers(fleet.members(), Map.of("environment", "production"));
    String revision = repo.commit(example(Map.of()));
    hub.source("policies", repo.httpUrl().toString(), spec -> {});
    before.accept("consumer-" + hub.namespace);
    hub.distribution("production", "production", "consumer-" + hub.namespace, spec -> spec.profile = profile);
    return new Distributed(hub, "consumer-" + hub.namespace, revision);
  }

  /** The target, once it has a status (an await retries only on assertion failures). */
  private static TrustDistributionTarget target(HubScenario hub, String member) {
    TrustDistributionTarget t = hub.target("production", member);
    assertThat(t).isNotNull();
    assertThat(t.getStatus()).isNotNull();
    return t;
  }

  private static List<GenericKubernetesResource> executors(KubernetesClient client, String namespace) {
    return client.genericKubernetesResources("config.ratify.sh/v2beta1", "NamespacedExecutor").inNamespace(namespace).list().getItems();
  }

  /** What Ratify's controller does: replace the object's status through the status subresource. */
  private static void writeStatus(KubernetesClient client, GenericKubernetesResource object, Map<String, Object> status) {
    GenericKubernetesResource current = client.genericKubernetesResources(object.getApiVersion(), object.getKind())
        .inNamespace(object.getMetadata().getNamespace()).withName(object.getMetadata().getName()).get();
    current.setAdditionalProperty("status", status);
    client.genericKubernetesResources(object.getApiVersion(), object.getKind()).inNamespace(object.getMetadata().getNamespace())
        .resource(current).updateStatus();
  }
}
