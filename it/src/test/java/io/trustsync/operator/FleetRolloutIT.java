package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBindingBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.trustsync.crd.distribution.RolloutSpec;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.testing.Fleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A roll-out across five clusters labelled dev, eu and us, on three real API servers (two of
 * them stand for two clusters each, each cluster in its own namespace): stage order, one eu
 * cluster at a time, the soak after dev, a failing eu cluster rolling its stage back, and a newer
 * revision superseding the halted one. The order and the concurrency are read from a watch on the
 * hub's targets, which sees every change of every target in etcd's order.
 */
class FleetRolloutIT {
  @RegisterExtension static final Fleet fleet = Fleet.dedicated(3);

  /** One watch event: when, which cluster, what its target asked for and what its status said. */
  record Seen(Instant at, String cluster, String target, String applied, String state) {}

  @Test
  void stagesGoInOrderOneEuClusterAtATimeRollBackAndAreSuperseded(@TempDir Path cache) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "fleet-rollout");
    LocalControlPlane a = fleet.member(0);
    LocalControlPlane b = fleet.member(1);
    LocalControlPlane c = fleet.member(2);
    List<Seen> seen = new ArrayList<>();
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
            .withNamespace(hub.namespace));
        Watch watch = fleet.hub().client().resources(TrustDistributionTarget.class).inNamespace(hub.namespace).watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, TrustDistributionTarget t) {
            synchronized (seen) {
              seen.add(new Seen(Instant.now(), t.getSpec().member, t.getSpec().revision, t.getStatus() == null ? null : t.getStatus().appliedRevision,
                  t.getStatus() == null ? null : t.getStatus().state));
            }
          }

          @Override
          public void onClose(WatcherException cause) {}
        })) {
      LocalGitRepository repo = git.createRepository(hub.namespace);
      String first = repo.commit(example(Map.of()));
      hub.registerMember("dev-1", a, Map.of("environment", "dev"));
      hub.registerMember("eu-1", b, Map.of("region", "eu"));
      hub.registerMember("eu-2", c, Map.of("region", "eu"));
      hub.registerMember("eu-3", a, Map.of("region", "eu"));
      hub.registerMember("us-1", b, Map.of("region", "us"));
      List<String> clusters = List.of("dev-1", "eu-1", "eu-2", "eu-3", "us-1");
      hub.httpsSource("policies", git, repo, spec -> {});
      hub.distribution("production", "production", "trust-${cluster}", spec -> {
        spec.rollout = new RolloutSpec();
        spec.rollout.onFailure = "rollback";
        spec.rollout.stages = List.of(stage("dev", Map.of("environment", "dev"), null, "3s"),
            stage("eu", Map.of("region", "eu"), "1", null), stage("rest", null, null, null));
      });
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> clusters.forEach(cluster ->
          assertThat(hub.appliedRevision("production", cluster)).as(cluster).isEqualTo(first)));
      await().atMost(Duration.ofSeconds(30)).until(() -> "True".equals(HubScenario.condition(hub.distribution("production"), "RolledOut")));

      // a second revision: dev, a 3s soak, eu one by one, then us
      int from = size(seen);
      String second = repo.commit(example(Map.of("README.md", "second\n")));
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> clusters.forEach(cluster ->
          assertThat(hub.appliedRevision("production", cluster)).as(cluster).isEqualTo(second)));
      List<Seen> log = since(seen, from);
      Instant devAsked = firstAsked(log, "dev-1", second);
      Instant euAsked = clusters.stream().filter(n -> n.startsWith("eu")).map(n -> firstAsked(log, n, second)).min(Instant::compareTo).orElseThrow();
      Instant euDone = clusters.stream().filter(n -> n.startsWith("eu")).map(n -> firstSynced(log, n, second)).max(Instant::compareTo).orElseThrow();
      assertThat(devAsked).isBefore(euAsked);
      assertThat(firstAsked(log, "us-1", second)).as("us only after every eu cluster is synced").isAfterOrEqualTo(euDone);
      TrustDistributionStatus.StageStatus devStage = stage(hub, "dev");
      assertThat(euAsked).as("eu waits for dev's soak").isAfterOrEqualTo(Instant.parse(devStage.doneAt).plusSeconds(3));
      assertThat(maxOnTheirWay(log, List.of("eu-1", "eu-2", "eu-3"), second)).as("maxUnavailable 1 in eu").isEqualTo(1);

      // a third revision that eu-2's API server refuses: eu halts and goes back to the second, dev keeps the third
      c.client().admissionRegistration().v1().validatingAdmissionPolicies().resource(new ValidatingAdmissionPolicyBuilder()
          .withNewMetadata().withName("freeze-trust").endMetadata()
          .withNewSpec().withFailurePolicy("Fail")
          .withNewMatchConstraints().addNewResourceRule().withApiGroups("trustsync.io").withApiVersions("*")
          .withOperations("UPDATE", "CREATE").withResources("trustpolicies", "truststores").endResourceRule().endMatchConstraints()
          .addNewValidation().withExpression("false").withMessage("trust configuration is frozen on this cluster").endValidation()
          .endSpec().build()).serverSideApply();
      c.client().admissionRegistration().v1().validatingAdmissionPolicyBindings().resource(new ValidatingAdmissionPolicyBindingBuilder()
          .withNewMetadata().withName("freeze-trust").endMetadata()
          .withNewSpec().withPolicyName("freeze-trust").withValidationActions("Deny").endSpec().build()).serverSideApply();
      String third = repo.commit(example(Map.of("environments/production/trustpolicy.json",
          HubScenario.exampleFile("environments/production/trustpolicy.json").replace("\"acme.azurecr.io/storefront/web\"",
              "\"acme.azurecr.io/storefront/web\", \"acme.azurecr.io/storefront/admin\""))));
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
        assertThat(stage(hub, "eu").state).isEqualTo("RolledBack");
        for (String cluster : List.of("eu-1", "eu-2", "eu-3", "us-1")) {
          assertThat(hub.target("production", cluster).getSpec().revision).as(cluster).isEqualTo(second);
          assertThat(hub.appliedRevision("production", cluster)).as(cluster).isEqualTo(second);
        }
        assertThat(hub.appliedRevision("production", "dev-1")).isEqualTo(third);
      });
      assertThat(hub.distribution("production").getStatus().rollout.message).contains("went back to " + second);
      assertThat(hub.eventMessages()).anyMatch(m -> m.startsWith("RolloutHalted:"));

      // the fix is a fourth revision: it supersedes the third, starts again at dev, and reaches every cluster
      c.client().admissionRegistration().v1().validatingAdmissionPolicyBindings().withName("freeze-trust").delete();
      c.client().admissionRegistration().v1().validatingAdmissionPolicies().withName("freeze-trust").delete();
      from = size(seen);
      String fourth = repo.commit(example(Map.of("README.md", "fourth\n")));
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> clusters.forEach(cluster ->
          assertThat(hub.appliedRevision("production", cluster)).as(cluster).isEqualTo(fourth)));
      await().atMost(Duration.ofSeconds(30)).until(() -> "True".equals(HubScenario.condition(hub.distribution("production"), "RolledOut")));
      List<Seen> superseding = since(seen, from);
      assertThat(firstAsked(superseding, "dev-1", fourth)).isBefore(firstAsked(superseding, "eu-1", fourth));
      assertThat(hub.distribution("production").getStatus().rollout.revision).isEqualTo(fourth);
    }
  }

  private static RolloutSpec.Stage stage(String name, Map<String, String> labels, String maxUnavailable, String soak) {
    RolloutSpec.Stage stage = new RolloutSpec.Stage();
    stage.name = name;
    stage.selector = labels == null ? null : new LabelSelectorBuilder().withMatchLabels(labels).build();
    stage.maxUnavailable = maxUnavailable;
    stage.soak = soak;
    return stage;
  }

  private static TrustDistributionStatus.StageStatus stage(HubScenario hub, String name) {
    var rollout = hub.distribution("production").getStatus().rollout;
    assertThat(rollout).isNotNull();
    return rollout.stages.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow();
  }

  private static int size(List<Seen> seen) {
    synchronized (seen) {
      return seen.size();
    }
  }

  private static List<Seen> since(List<Seen> seen, int from) {
    synchronized (seen) {
      return List.copyOf(seen.subList(from, seen.size()));
    }
  }

  private static Instant firstAsked(List<Seen> log, String cluster, String revision) {
    return log.stream().filter(s -> s.cluster().equals(cluster) && revision.equals(s.target())).map(Seen::at).findFirst()
        .orElseThrow(() -> new AssertionError(cluster + " was never asked for " + revision));
  }

  private static Instant firstSynced(List<Seen> log, String cluster, String revision) {
    return log.stream().filter(s -> s.cluster().equals(cluster) && revision.equals(s.applied()) && "Synced".equals(s.state())).map(Seen::at)
        .findFirst().orElseThrow(() -> new AssertionError(cluster + " was never Synced on " + revision));
  }

  /** The most clusters of {@code stage} whose target asked for the revision while they were not yet Synced on it, at any point. */
  private static int maxOnTheirWay(List<Seen> log, List<String> stage, String revision) {
    Map<String, Seen> latest = new HashMap<>();
    int max = 0;
    for (Seen s : log) {
      if (!stage.contains(s.cluster())) {
        continue;
      }
      latest.put(s.cluster(), s);
      int moving = (int) latest.values().stream()
          .filter(l -> revision.equals(l.target()) && !(revision.equals(l.applied()) && "Synced".equals(l.state()))).count();
      max = Math.max(max, moving);
    }
    return max;
  }
}
