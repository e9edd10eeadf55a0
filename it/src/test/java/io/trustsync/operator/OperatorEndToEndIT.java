package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.condition;
import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.exampleFile;
import static io.trustsync.operator.HubScenario.ready;
import static io.trustsync.operator.HubScenario.trustPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.SshCommitSigner;
import io.trustsync.source.WebhookSignatures;
import io.trustsync.testing.Fleet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator against real API servers (a hub and two members) and a real Git server: what a
 * platform team sees from merging a pull request to every cluster holding it.
 */
class OperatorEndToEndIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);
  @TempDir static Path cache;
  static LocalGitServer git;
  static TrustSyncOperator operator;

  @BeforeAll
  static void startOperator() throws Exception {
    git = LocalGitServer.launch();
    operator = TrustSyncOperator.start(fleet.hub().client(),
        io.trustsync.testing.TestSettings.loopback(cache));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
    if (git != null) {
      git.close();
    }
  }

  private record Setup(HubScenario hub, LocalGitRepository repo, String target) {}

  private Setup setup(String name, String firstRevisionUser) {
    HubScenario hub = new HubScenario(fleet.hub(), name);
    LocalGitRepository repo = git.createRepository(hub.namespace);
    hub.registerMembers(fleet.members(), Map.of("environment", "production"));
    return new Setup(hub, repo, "trust-" + hub.namespace);
  }

  private static List<KubernetesClient> members() {
    return fleet.members().stream().map(LocalControlPlane::client).toList();
  }

  private static void awaitReady(HubScenario hub, String distribution, String revision) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(hub.distribution(distribution)).matches(d -> ready(d, revision),
            "Ready at " + revision + ": " + io.fabric8.kubernetes.client.utils.Serialization.asYaml(hub.distribution(distribution).getStatus())
                + "\nsource: " + io.fabric8.kubernetes.client.utils.Serialization.asYaml(hub.source("policies").getStatus())));
  }

  @Test
  void distributesTheAcceptedRevisionToEverySelectedClusterAndPropagatesNewCommits() {
    Setup s = setup("dist", null);
    String first = s.repo().commit(example(Map.of()));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> {});
    s.hub().distribution("production", "production", s.target(), spec -> {});
    awaitReady(s.hub(), "production", first);

    for (LocalControlPlane plane : fleet.members()) {
      KubernetesClient member = plane.client();
      GenericKubernetesResource policy = trustPolicy(member, s.target(), "production");
      assertThat(s.hub().appliedRevision("production", plane.name())).isEqualTo(first);
      assertThat(policy.getMetadata().getAnnotations()).as("the revision lives in the target, not on the object")
          .doesNotContainKey("trustsync.io/source-revision").containsKey("trustsync.io/content-hash");
      assertThat(policy.getMetadata().getManagedFields()).extracting(f -> f.getManager()).contains("trustsync");
      List<GenericKubernetesResource> stores = member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore")
          .inNamespace(s.target()).list().getItems();
      assertThat(stores).extracting(store -> store.getMetadata().getName())
          .containsExactlyInAnyOrder("production-ca-acme-root", "production-tsa-acme-tsa");
    }
    TrustDistribution status = s.hub().distribution("production");
    assertThat(status.getStatus().syncedClusters).isEqualTo("2/2");
    assertThat(status.getStatus().problems).isEmpty();
    assertThat(status.getStatus().revisions).singleElement().satisfies(r -> {
      assertThat(r.revision).isEqualTo(first);
      assertThat(r.clusters).isEqualTo(2);
    });

    String policy = exampleFile("environments/production/trustpolicy.json")
        .replace("\"acme.azurecr.io/storefront/web\"", "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/storefront/api\"");
    String second = s.repo().commit(example(Map.of("environments/production/trustpolicy.json", policy)));
    awaitReady(s.hub(), "production", second);
    for (KubernetesClient member : members()) {
      assertThat(trustPolicy(member, s.target(), "production").getAdditionalProperties().toString()).contains("acme.azurecr.io/storefront/api");
    }
  }

  @Test
  void anInvalidCommitIsReportedAndNeverAppliedWhileTheLastGoodRevisionStays() throws Exception {
    Setup s = setup("invalid", null);
    String good = s.repo().commit(example(Map.of()));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> {});
    s.hub().distribution("production", "production", s.target(), spec -> {});
    awaitReady(s.hub(), "production", good);

    String broken = exampleFile("environments/production/trustpolicy.json").replace("\"strict\"", "\"strickt\"");
    String bad = s.repo().commit(example(Map.of("environments/production/trustpolicy.json", broken)));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      PolicySource source = s.hub().source("policies");
      assertThat(source.getStatus().fetchedRevision).isEqualTo(bad);
      assertThat(condition(source, "Ready").getReason()).isEqualTo("ValidationFailed");
    });
    PolicySource source = s.hub().source("policies");
    assertThat(source.getStatus().lastAcceptedRevision).isEqualTo(good);
    assertThat(condition(source, "Ready").getMessage()).contains("notation.level").contains("still serving " + good.substring(0, 12));
    assertThat(source.getStatus().validation.findings).anySatisfy(f -> {
      assertThat(f.ruleId).isEqualTo("notation.level");
      assertThat(f.file).isEqualTo("environments/production/trustpolicy.json");
      assertThat(f.line).isEqualTo(12);
    });
    Thread.sleep(3000); // several polls later, nothing of the bad revision reached a cluster
    for (LocalControlPlane plane : fleet.members()) {
      assertThat(s.hub().appliedRevision("production", plane.name())).isEqualTo(good);
      assertThat(trustPolicy(plane.client(), s.target(), "production")).isNotNull();
    }
    assertThat(s.hub().distribution("production").getStatus().revision).isEqualTo(good);
  }

  @Test
  void driftIsDetectedAndCorrectedWithinASecond() {
    Setup s = setup("drift", null);
    String revision = s.repo().commit(example(Map.of()));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> {});
    s.hub().distribution("production", "production", s.target(), spec -> {});
    awaitReady(s.hub(), "production", revision);
    KubernetesClient member = members().get(0);

    // A person weakens the policy by hand with another field manager.
    var policies = member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(s.target());
    policies.withName("production").edit(p -> {
      ((Map<String, Object>) ((Map<String, Object>) ((List<Object>) ((Map<String, Object>) p.getAdditionalProperties().get("spec"))
          .get("trustPolicies")).get(0)).get("signatureVerification")).put("level", "audit");
      return p;
    });
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
        assertThat(policies.withName("production").get().getAdditionalProperties().toString()).contains("level=strict"));

    // Deleted objects come back; extra objects carrying our labels go away.
    member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target()).withName("production-tsa-acme-tsa").delete();
    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() ->
        member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target()).withName("production-tsa-acme-tsa").get() != null);

    GenericKubernetesResource extra = member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target())
        .withName("production-ca-acme-root").get();
    extra.getMetadata().setName("smuggled-root");
    extra.getMetadata().setResourceVersion(null);
    extra.getMetadata().setUid(null);
    extra.getMetadata().setManagedFields(null);
    extra.getMetadata().setCreationTimestamp(null);
    member.resource(extra).create();
    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() ->
        member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target()).withName("smuggled-root").get() == null);

    await().atMost(Duration.ofSeconds(10)).until(() -> s.hub().hub.v1().events().inNamespace(s.hub().namespace).list().getItems().stream()
        .filter(e -> "DriftCorrected".equals(e.getReason())).count() >= 3);
    assertThat(s.hub().hub.v1().events().inNamespace(s.hub().namespace).list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getReason()).isEqualTo("DriftDetected");
          assertThat(e.getMessage()).contains("TrustPolicy/" + s.target() + "/production").contains("/spec/trustPolicies/0/signatureVerification/level");
        });
    assertThat(operator.metrics().scrape()).contains("trustsync_drift_events_total");
  }

  @Test
  void inReportModeDriftIsReportedButLeftInPlace() throws Exception {
    Setup s = setup("report", null);
    String revision = s.repo().commit(example(Map.of()));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> {});
    s.hub().distribution("production", "production", s.target(), spec -> spec.driftMode = "report");
    awaitReady(s.hub(), "production", revision);
    KubernetesClient member = members().get(1);
    var policies = member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(s.target());
    policies.withName("production").edit(p -> {
      ((Map<String, Object>) p.getAdditionalProperties().get("spec")).put("version", "1.1");
      return p;
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      TrustDistribution d = s.hub().distribution("production");
      assertThat(condition(d, "Drifted")).isEqualTo("True");
      assertThat(condition(d, "Ready")).isEqualTo("False");
      assertThat(d.getStatus().problems).anySatisfy(c -> {
        assertThat(c.name).isEqualTo(fleet.member(1).name());
        assertThat(c.state).isEqualTo("Drifted");
        assertThat(c.driftedObjects).isEqualTo(1);
      });
      assertThat(s.hub().target("production", fleet.member(1).name()).getStatus()).satisfies(c -> {
        assertThat(c.state).isEqualTo("Drifted");
        assertThat(c.drift).singleElement().satisfies(drift -> {
          assertThat(drift.object).isEqualTo("TrustPolicy/" + s.target() + "/production");
          assertThat(drift.change).isEqualTo("Modified");
          assertThat(drift.fields).containsExactly("/spec/version");
        });
      });
    });
    Thread.sleep(2000);
    assertThat(policies.withName("production").get().getAdditionalProperties().toString()).contains("version=1.1");
  }

  @Test
  void objectsNoLongerRenderedArePrunedAndSuspendStopsApplying() {
    Setup s = setup("prune", null);
    String first = s.repo().commit(example(Map.of()));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> {});
    s.hub().distribution("production", "production", s.target(), spec -> {});
    awaitReady(s.hub(), "production", first);

    String withoutTsa = exampleFile("environments/production/trustpolicy.json").replace(",\n        \"tsa:acme-tsa\"", "");
    Map<String, String> changes = new HashMap<>();
    changes.put("environments/production/trustpolicy.json", withoutTsa);
    changes.put("environments/production/truststore", null); // the store folder goes too
    String second = s.repo().commit(example(changes));
    awaitReady(s.hub(), "production", second);
    for (KubernetesClient member : members()) {
      assertThat(member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target()).list().getItems())
          .extracting(r -> r.getMetadata().getName()).containsExactly("production-ca-acme-root");
    }

    s.hub().hub.resources(TrustDistribution.class).inNamespace(s.hub().namespace).withName("production")
        .edit(d -> {
          d.getSpec().suspend = true;
          return d;
        });
    String third = s.repo().commit(example(Map.of()));
    await().atMost(Duration.ofSeconds(30)).until(() -> third.equals(s.hub().accepted("policies")));
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
        fleet.members().stream().allMatch(m -> second.equals(s.hub().appliedRevision("production", m.name()))));
  }

  @Test
  void anUnsignedCommitIsRejectedWhenSignatureVerificationIsOn() {
    Setup s = setup("signed", null);
    SshCommitSigner signer = SshCommitSigner.generate();
    String signed = s.repo().commit(example(Map.of()).signedBy(signer));
    s.hub().secret("trusted-keys", Map.of("maintainers.pub", signer.publicKeyLine()));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> {
      spec.verify = new io.trustsync.crd.policysource.PolicySourceSpec.SignatureVerification();
      spec.verify.mode = "HEAD";
      spec.verify.secretRef = HubScenario.ref("trusted-keys");
    });
    s.hub().distribution("production", "production", s.target(), spec -> {});
    awaitReady(s.hub(), "production", signed);
    assertThat(s.hub().source("policies").getStatus().signature.trusted).isTrue();

    String unsigned = s.repo().commit(example(Map.of()).withMessage("sneak in an unsigned change"));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      PolicySource source = s.hub().source("policies");
      assertThat(source.getStatus().fetchedRevision).isEqualTo(unsigned);
      assertThat(condition(source, "Ready").getReason()).isEqualTo("VerificationFailed");
      assertThat(source.getStatus().lastAcceptedRevision).isEqualTo(signed);
    });
    assertThat(fleet.members()).allMatch(m -> signed.equals(s.hub().appliedRevision("production", m.name())));
  }

  @Test
  void aSignedWebhookFetchesAtOnceAndAForgedOneIsRefused() throws Exception {
    Setup s = setup("hook", null);
    String first = s.repo().commit(example(Map.of()));
    s.hub().secret("webhook", Map.of("token", "s3cret"));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> {
      spec.interval = "1h";
      spec.webhookSecretRef = HubScenario.ref("webhook");
    });
    s.hub().distribution("production", "production", s.target(), spec -> {});
    awaitReady(s.hub(), "production", first);
    String second = s.repo().commit(example(Map.of()).withMessage("second"));
    byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + second + "\"}").getBytes(StandardCharsets.UTF_8);
    URI hook = URI.create("http://127.0.0.1:" + operator.webhookPort() + "/hooks/" + s.hub().namespace + "/policies");
    HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> forged = http.send(HttpRequest.newBuilder(hook).header("X-Hub-Signature-256", WebhookSignatures.sign(body, "wrong".getBytes()))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(forged.statusCode()).isEqualTo(401);

    HttpResponse<String> real = http.send(HttpRequest.newBuilder(hook).header("X-Hub-Signature-256", WebhookSignatures.sign(body, "s3cret".getBytes()))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(real.statusCode()).isEqualTo(202);
    awaitReady(s.hub(), "production", second);

    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains("trustsync_source_revision{", "trustsync_cluster_sync_state{",
        "trustsync_certificate_not_after_seconds{", "trustsync_propagation_latency_seconds", "trustsync_source_fetch_duration_seconds",
        "trustsync_last_successful_sync_timestamp_seconds{", "trustsync_validation_findings{");
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }

  @Test
  void theReconcileRequestedAtAnnotationFetchesAtOnce() {
    Setup s = setup("request", null);
    String first = s.repo().commit(example(Map.of()));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> spec.interval = "1h");
    s.hub().distribution("production", "production", s.target(), spec -> {});
    awaitReady(s.hub(), "production", first);
    String second = s.repo().commit(example(Map.of()).withMessage("second"));
    s.hub().hub.resources(PolicySource.class).inNamespace(s.hub().namespace).withName("policies").edit(p -> {
      p.getMetadata().getAnnotations().put(SpecOrRequestFilter.RECONCILE_REQUESTED_AT, java.time.Instant.now().toString());
      return p;
    });
    awaitReady(s.hub(), "production", second);
  }

  @Test
  void changingTheTargetNamespaceRemovesWhatWasAppliedInTheOldOne() {
    Setup s = setup("move", null);
    String first = s.repo().commit(example(Map.of()));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> {});
    s.hub().distribution("production", "production", s.target(), spec -> {});
    awaitReady(s.hub(), "production", first);
    String moved = s.target() + "-moved";

    s.hub().hub.resources(TrustDistribution.class).inNamespace(s.hub().namespace).withName("production").edit(d -> {
      d.getSpec().targetNamespace = moved;
      return d;
    });

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      for (LocalControlPlane plane : fleet.members()) {
        KubernetesClient member = plane.client();
        assertThat(trustPolicy(member, moved, "production")).isNotNull();
        assertThat(member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(s.target()).list().getItems()).isEmpty();
        assertThat(member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target()).list().getItems()).isEmpty();
      }
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fleet.members()).allSatisfy(m -> assertThat(s.hub().target("production", m.name()).getStatus().appliedNamespace).isEqualTo(moved)));
  }

  @Test
  void changingTheProfileRemovesTheObjectsOfTheOldOne() {
    for (LocalControlPlane member : fleet.members()) {
      member.installCrds(io.trustsync.testing.RatifyCrds.v1());
    }
    Setup s = setup("profile", null);
    String first = s.repo().commit(example(Map.of()));
    s.hub().source("policies", s.repo().httpUrl().toString(), spec -> {});
    s.hub().distribution("production", "production", s.target(), spec -> {});
    awaitReady(s.hub(), "production", first);

    s.hub().hub.resources(TrustDistribution.class).inNamespace(s.hub().namespace).withName("production").edit(d -> {
      d.getSpec().profile = "ratify-v1";
      return d;
    });

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      for (KubernetesClient member : members()) {
        assertThat(member.genericKubernetesResources("config.ratify.deislabs.io/v1beta1", "NamespacedVerifier").inNamespace(s.target())
            .list().getItems()).isNotEmpty();
        assertThat(member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(s.target()).list().getItems()).isEmpty();
        assertThat(member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target()).list().getItems()).isEmpty();
      }
    });
  }
}
