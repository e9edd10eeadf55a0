package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.condition;
import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.exampleFile;
import static io.trustsync.operator.HubScenario.policyText;
import static io.trustsync.operator.HubScenario.ready;
import static io.trustsync.operator.HubScenario.trustPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.testing.Fleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the runtime keeps outside its memory: the inventory in each target, the finalizers, the
 * accepted revision in the source's status and the local Git cache. Each test stops the operator,
 * changes the world while it is down, and checks what the next operator does.
 */
class FleetRuntimeIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);
  static LocalGitServer git;

  @TempDir Path cache;

  @BeforeAll
  static void startGit() {
    git = LocalGitServer.launch();
  }

  @AfterAll
  static void stopGit() {
    git.close();
  }

  private TrustSyncOperator start() throws Exception {
    return TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null));
  }

  private record Served(HubScenario hub, LocalGitRepository repo, String revision, String target, String user) {}

  /** The example repository's production environment, distributed to both members by an operator that is stopped again. */
  private Served served(String prefix, LocalGitServer server) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), prefix);
    String user = "trustsync-" + hub.namespace;
    hub.registerMembers(fleet.members(), Map.of("environment", "production"), user);
    LocalGitRepository repo = server.createRepository(hub.namespace);
    String revision = repo.commit(example(Map.of()));
    hub.httpsSource("policies", server, repo, spec -> {});
    String target = "trust-" + hub.namespace;
    hub.distribution("production", "production", target,
        spec -> spec.clusterSelector = new LabelSelectorBuilder().addToMatchLabels("environment", "production").build());
    try (TrustSyncOperator operator = start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> ready(hub.distribution("production"), revision));
    }
    for (KubernetesClient member : members()) {
      assertThat(trustPolicy(member, target, "production")).isNotNull();
    }
    return new Served(hub, repo, revision, target, user);
  }

  private static List<KubernetesClient> members() {
    return fleet.members().stream().map(LocalControlPlane::client).toList();
  }

  private static List<TrustDistributionTarget> targets(HubScenario hub) {
    return hub.hub.resources(TrustDistributionTarget.class).inNamespace(hub.namespace).list().getItems();
  }

  @Test
  void aDistributionDeletedWhileTheOperatorIsStoppedIsRemovedFromEveryMemberAfterARestart() throws Exception {
    Served s = served("deleted-while-down", git);
    s.hub().hub.resources(TrustDistribution.class).inNamespace(s.hub().namespace).withName("production").delete();
    // the finalizers hold the distribution and its targets until an operator removed what they applied
    assertThat(s.hub().distribution("production")).isNotNull();
    assertThat(targets(s.hub())).hasSize(2).allSatisfy(t -> assertThat(t.getStatus().inventory).isNotEmpty());

    try (TrustSyncOperator operator = start()) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        for (KubernetesClient member : members()) {
          assertThat(member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target()).list().getItems())
              .isEmpty();
          assertThat(trustPolicy(member, s.target(), "production")).isNull();
        }
        assertThat(targets(s.hub())).isEmpty();
        assertThat(s.hub().distribution("production")).isNull();
      });
    }
  }

  @Test
  void aClusterDeselectedWhileTheOperatorIsStoppedLosesItsObjectsAfterARestart() throws Exception {
    Served s = served("deselected-while-down", git);
    LocalControlPlane leaving = fleet.member(0);
    LocalControlPlane staying = fleet.member(1);
    s.hub().hub.resources(MemberCluster.class).inNamespace(s.hub().namespace).withName(leaving.name())
        .edit(m -> {
          m.getMetadata().getLabels().put("environment", "staging");
          return m;
        });

    try (TrustSyncOperator operator = start()) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(leaving.client().genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target())
            .list().getItems()).isEmpty();
        assertThat(trustPolicy(leaving.client(), s.target(), "production")).isNull();
        assertThat(s.hub().target("production", leaving.name())).isNull();
        assertThat(s.hub().distribution("production").getStatus().summary.total).isEqualTo(1);
      });
      assertThat(trustPolicy(staying.client(), s.target(), "production")).isNotNull();
      assertThat(s.hub().appliedRevision("production", staying.name())).isEqualTo(s.revision());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void whileGitIsDownARestartedOperatorKeepsServingAndCorrectsDriftFromItsCache() throws Exception {
    LocalGitServer down = LocalGitServer.launch();
    try {
      Served s = served("git-down", down);
      down.stop();
      // someone weakens the policy in a member while nothing watches
      KubernetesClient member = members().get(0);
      var policies = member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(s.target());
      policies.withName("production").edit(p -> {
        ((Map<String, Object>) ((Map<String, Object>) ((List<Object>) ((Map<String, Object>) p.getAdditionalProperties().get("spec"))
            .get("trustPolicies")).get(0)).get("signatureVerification")).put("level", "audit");
        return p;
      });
      assertThat(policyText(policies.withName("production").get())).doesNotContain("level=strict");

      try (TrustSyncOperator operator = start()) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          assertThat(policyText(policies.withName("production").get())).contains("level=strict");
          PolicySource source = s.hub().source("policies");
          assertThat(condition(source, "Ready").getReason()).isEqualTo("FetchFailed");
          assertThat(condition(source, "Ready").getMessage()).contains("still serving " + s.revision().substring(0, 12));
          assertThat(ready(s.hub().distribution("production"), s.revision())).isTrue();
        });
        assertThat(s.hub().eventMessages()).noneMatch(m -> m.startsWith("RestoreFailed"));
      }
    } finally {
      down.close();
    }
  }

  @Test
  void cachedFilesThatDoNotMatchTheRecordedDigestAreNotServedAfterARestart() throws Exception {
    Served s = served("digest-mismatch", git);
    String recorded = s.hub().source("policies").getStatus().lastAcceptedDigest;
    assertThat(recorded).startsWith("sha256:");
    git.stop();
    try {
      // the cache and the status disagree: the operator trusts neither without the other
      s.hub().hub.resources(PolicySource.class).inNamespace(s.hub().namespace).withName("policies").editStatus(p -> {
        p.getStatus().lastAcceptedDigest = "sha256:" + "0".repeat(64);
        return p;
      });
      try (TrustSyncOperator operator = start()) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          assertThat(s.hub().eventMessages()).anyMatch(m -> m.startsWith("RestoreFailed") && m.contains("not " + "sha256:" + "0".repeat(64)));
          assertThat(condition(s.hub().source("policies"), "Ready").getMessage()).endsWith("no accepted revision is being served");
        });
        // nothing is taken away from the members either
        for (KubernetesClient member : members()) {
          assertThat(trustPolicy(member, s.target(), "production")).isNotNull();
        }
      }
    } finally {
      git.start();
    }
  }

  @Test
  void aCommitThatChangesNothingAClusterGetsCausesNoWriteToAnyMember() throws Exception {
    Served s = served("no-op-commit", git);
    try (TrustSyncOperator operator = start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> ready(s.hub().distribution("production"), s.revision()));

      // a commit that touches only the README and another environment
      Instant before = Instant.now();
      String noOp = s.repo().commit(example(Map.of(
          "README.md", exampleFile("README.md") + "\nA note " + UUID.randomUUID() + "\n",
          "environments/development/trustpolicy.json", exampleFile("environments/development/trustpolicy.json") + "\n\n")));
      awaitApplied(s, noOp);
      assertThat(writesBy(s.user(), before)).as("member write requests for a commit that changes nothing they get").isEmpty();

      // the same count sees the writes of a commit that does change what they get
      Instant beforeChange = Instant.now();
      String change = s.repo().commit(example(Map.of("environments/production/trustpolicy.json",
          exampleFile("environments/production/trustpolicy.json")
              .replace("\"acme.azurecr.io/payments/api\",", "\"acme.azurecr.io/payments/api\", \"acme.azurecr.io/payments/batch\","))));
      awaitApplied(s, change);
      assertThat(writesBy(s.user(), beforeChange)).isNotEmpty()
          .allSatisfy(w -> assertThat(w.namespace()).isEqualTo(s.target()));
    }
  }

  @Test
  void kubeconfigSecretsAreWatchedNotReadAtEveryProbe() throws Exception {
    Served s = served("secret-reads", git);
    Instant start = Instant.now();
    try (TrustSyncOperator operator = start()) {
      // several probes of every member (each probe connects with the member's kubeconfig)
      await().atMost(Duration.ofSeconds(60)).until(() -> fleet.members().stream().allMatch(m -> m.requestsSince(start).stream()
          .filter(r -> r.user().equals(s.user()) && r.uri().equals("/version")).count() >= 3));
      var secretReads = fleet.hub().requestsSince(start).stream()
          .filter(r -> "secrets".equals(r.resource()) && s.hub().namespace.equals(r.namespace()) && r.userAgent().equals("trustsync-operator"))
          .toList();
      assertThat(secretReads).noneMatch(r -> r.verb().equals("get"));
      assertThat(secretReads).anyMatch(r -> r.verb().equals("list"));
    }
  }

  private static void awaitApplied(Served s, String revision) {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(s.hub().accepted("policies")).isEqualTo(revision);
      for (LocalControlPlane member : fleet.members()) {
        assertThat(s.hub().appliedRevision("production", member.name())).isEqualTo(revision);
      }
      assertThat(ready(s.hub().distribution("production"), revision)).isTrue();
    });
  }

  private static List<LocalControlPlane.AuditedRequest> writesBy(String user, Instant since) {
    return fleet.members().stream().flatMap(m -> m.writesSince(since).stream()).filter(w -> w.user().equals(user)).toList();
  }
}
