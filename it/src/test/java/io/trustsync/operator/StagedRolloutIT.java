package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.trustsync.crd.distribution.RolloutSpec;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.cli.CommandRun;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.testing.Fleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A staged roll-out on real API servers: dev first, then prod behind an approval gate. A new
 * revision reaches dev and waits for approval before prod; a revision that fails on dev (an
 * admission policy there refuses it) halts the roll-out with prod still on the last good
 * revision until dev is fixed; a paused roll-out moves nothing until resumed; an aborted revision
 * leaves the clusters that took it.
 */
class StagedRolloutIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);
  private String kubeconfig;

  @Test
  void revisionsMoveStageByStageWaitForApprovalAndHaltOnFailure(@TempDir Path cache) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "rollout");
    LocalControlPlane dev = fleet.member(0);
    LocalControlPlane prod = fleet.member(1);
    String targetNamespace = "trust-" + hub.namespace;
    kubeconfig = Files.writeString(cache.resolve("hub.kubeconfig"), fleet.hub().kubeconfig()).toString();
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
            .withNamespace(hub.namespace))) {
      LocalGitRepository repo = git.createRepository(hub.namespace);
      String first = repo.commit(example(Map.of()));
      hub.registerMembers(List.of(dev), Map.of("environment", "dev"));
      hub.registerMembers(List.of(prod), Map.of("environment", "prod"));
      hub.httpsSource("policies", git, repo, spec -> {});
      hub.distribution("production", "production", targetNamespace, spec -> {
        spec.rollout = new RolloutSpec();
        spec.rollout.stages = List.of(stage("dev", "dev", false), stage("prod", "prod", true));
      });

      // the first revision: dev at once, prod only once approved
      await().atMost(Duration.ofSeconds(60)).until(() -> first.equals(hub.appliedRevision("production", dev.name())));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stageStates(hub)).containsExactly("Done", "WaitingForApproval"));
      assertThat(hub.target("production", prod.name())).as("no target for prod before approval").isNull();
      CommandRun waiting = CommandRun.of("rollout", "status", "production", "--kubeconfig", kubeconfig, "-n", hub.namespace);
      assertThat(waiting.exitCode()).as(waiting.err()).isEqualTo(1);
      assertThat(waiting.out()).contains("WaitingForApproval").contains("approval");
      approve(hub, first);
      await().atMost(Duration.ofSeconds(60)).until(() -> first.equals(hub.appliedRevision("production", prod.name())));
      await().atMost(Duration.ofSeconds(30)).until(() -> "True".equals(HubScenario.condition(hub.distribution("production"), "RolledOut")));

      // a second revision: dev moves, prod stays on the first until approved
      String second = repo.commit(example(Map.of("README.md", "second\n")));
      await().atMost(Duration.ofSeconds(60)).until(() -> second.equals(hub.appliedRevision("production", dev.name())));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stageStates(hub)).containsExactly("Done", "WaitingForApproval"));
      assertThat(hub.appliedRevision("production", prod.name())).isEqualTo(first);
      assertThat(HubScenario.condition(hub.distribution("production"), "RolledOut")).isEqualTo("False");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(hub.distribution("production").getStatus().divergedSince)
          .as("dev and prod run different revisions").isNotNull());
      approve(hub, second);
      await().atMost(Duration.ofSeconds(60)).until(() -> second.equals(hub.appliedRevision("production", prod.name())));

      // a third revision that dev refuses: the roll-out halts, prod keeps the second
      dev.client().admissionRegistration().v1().validatingAdmissionPolicies().resource(new io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBuilder()
          .withNewMetadata().withName("freeze-trust").endMetadata()
          .withNewSpec().withFailurePolicy("Fail")
          .withNewMatchConstraints().addNewResourceRule().withApiGroups("trustsync.io").withApiVersions("*")
          .withOperations("UPDATE", "CREATE").withResources("trustpolicies", "truststores").endResourceRule().endMatchConstraints()
          .addNewValidation().withExpression("false").withMessage("trust configuration is frozen on this cluster").endValidation()
          .endSpec().build()).serverSideApply();
      dev.client().admissionRegistration().v1().validatingAdmissionPolicyBindings().resource(
          new io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBindingBuilder()
              .withNewMetadata().withName("freeze-trust").endMetadata()
              .withNewSpec().withPolicyName("freeze-trust").withValidationActions("Deny").endSpec().build()).serverSideApply();
      String third = repo.commit(example(Map.of("environments/production/trustpolicy.json",
          HubScenario.exampleFile("environments/production/trustpolicy.json").replace("\"acme.azurecr.io/storefront/web\"",
              "\"acme.azurecr.io/storefront/web\", \"acme.azurecr.io/storefront/admin\""))));
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        TrustDistribution distribution = hub.distribution("production");
        assertThat(distribution.getStatus().rollout).isNotNull();
        assertThat(distribution.getStatus().rollout.revision).isEqualTo(third);
        assertThat(distribution.getStatus().rollout.state).isEqualTo("Halted");
        assertThat(distribution.getStatus().rollout.message).contains("stage dev halted");
      });
      approve(hub, third); // approval does not lift a halt
      assertThat(CommandRun.of("rollout", "status", "production", "--kubeconfig", kubeconfig, "-n", hub.namespace).out())
          .contains("Halted").contains("stage dev halted");
      assertThat(hub.appliedRevision("production", prod.name())).isEqualTo(second);
      assertThat(hub.target("production", prod.name()).getSpec().revision).isEqualTo(second);
      assertThat(hub.eventMessages()).anyMatch(m -> m.startsWith("RolloutHalted: stage dev halted"));

      // fixed on dev: the halt lifts by itself, dev takes the third, then prod (approved already)
      dev.client().admissionRegistration().v1().validatingAdmissionPolicyBindings().withName("freeze-trust").delete();
      dev.client().admissionRegistration().v1().validatingAdmissionPolicies().withName("freeze-trust").delete();
      await().atMost(Duration.ofSeconds(60)).until(() -> third.equals(hub.appliedRevision("production", dev.name())));
      await().atMost(Duration.ofSeconds(60)).until(() -> third.equals(hub.appliedRevision("production", prod.name())));
      await().atMost(Duration.ofSeconds(30)).until(() -> "True".equals(HubScenario.condition(hub.distribution("production"), "RolledOut")));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(hub.distribution("production").getStatus().divergedSince)
          .as("one revision everywhere again").isNull());

      // paused: a fourth revision goes nowhere; resumed, it reaches dev; aborted, dev goes back to the third
      CommandRun pause = CommandRun.of("rollout", "pause", "production", "--kubeconfig", kubeconfig, "-n", hub.namespace);
      assertThat(pause.exitCode()).as(pause.err()).isZero();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(hub.distribution("production").getMetadata().getAnnotations()).containsEntry("trustsync.io/rollout-paused", "true"));
      String fourth = repo.commit(example(Map.of("README.md", "fourth\n")));
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var rollout = hub.distribution("production").getStatus().rollout;
        assertThat(rollout.revision).isEqualTo(fourth);
        assertThat(rollout.state).isEqualTo("Paused");
      });
      assertThat(hub.target("production", dev.name()).getSpec().revision).as("nothing moves while paused").isEqualTo(third);
      CommandRun resumed = CommandRun.of("rollout", "resume", "production", "--kubeconfig", kubeconfig, "-n", hub.namespace);
      assertThat(resumed.exitCode()).as(resumed.err()).isZero();
      assertThat(resumed.out()).contains("resumed the roll-out of revision " + fourth.substring(0, 12));
      await().atMost(Duration.ofSeconds(60)).until(() -> fourth.equals(hub.appliedRevision("production", dev.name())));
      CommandRun abort = CommandRun.of("rollout", "abort", "production", "--kubeconfig", kubeconfig, "-n", hub.namespace);
      assertThat(abort.exitCode()).as(abort.err()).isZero();
      await().atMost(Duration.ofSeconds(60)).until(() -> third.equals(hub.appliedRevision("production", dev.name())));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(hub.distribution("production").getStatus().rollout.state).isEqualTo("Aborted"));
      assertThat(hub.target("production", prod.name()).getSpec().revision).isEqualTo(third);
    }
  }

  /**
   * The operator restarts while prod is held on the first revision and dev runs the second; the
   * restarted operator loads both from its cache (the source's status names them), so aborting
   * still returns dev to the first, and prod keeps being served.
   */
  @Test
  void aRestartMidRollOutKeepsTheRevisionBeforeItLoaded(@TempDir Path cache) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "rollout-restart");
    LocalControlPlane dev = fleet.member(0);
    LocalControlPlane prod = fleet.member(1);
    String targetNamespace = "trust-" + hub.namespace;
    kubeconfig = Files.writeString(cache.resolve("hub.kubeconfig"), fleet.hub().kubeconfig()).toString();
    try (LocalGitServer git = LocalGitServer.launch()) {
      LocalGitRepository repo = git.createRepository(hub.namespace);
      String first = repo.commit(example(Map.of()));
      String second;
      try (TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
          .withNamespace(hub.namespace))) {
        hub.registerMembers(List.of(dev), Map.of("environment", "dev"));
        hub.registerMembers(List.of(prod), Map.of("environment", "prod"));
        hub.httpsSource("policies", git, repo, spec -> {});
        hub.distribution("production", "production", targetNamespace, spec -> {
          spec.rollout = new RolloutSpec();
          spec.rollout.stages = List.of(stage("dev", "dev", false), stage("prod", "prod", true));
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> first.equals(hub.appliedRevision("production", dev.name())));
        approve(hub, first);
        await().atMost(Duration.ofSeconds(60)).until(() -> first.equals(hub.appliedRevision("production", prod.name())));
        second = repo.commit(example(Map.of("README.md", "second\n")));
        await().atMost(Duration.ofSeconds(60)).until(() -> second.equals(hub.appliedRevision("production", dev.name())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(hub.source("policies").getStatus().previousAcceptedRevisions).extracting(r -> r.revision).containsExactly(first));
      }
      try (TrustSyncOperator restarted = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
          .withNamespace(hub.namespace))) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(stageStates(hub)).containsExactly("Done", "WaitingForApproval"));
        CommandRun abort = CommandRun.of("rollout", "abort", "production", "--kubeconfig", kubeconfig, "-n", hub.namespace);
        assertThat(abort.exitCode()).as(abort.err()).isZero();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          var target = hub.target("production", dev.name());
          assertThat(target.getSpec().revision).isEqualTo(first);
          assertThat(target.getStatus().appliedRevision).as(target.getStatus().message).isEqualTo(first);
          assertThat(target.getStatus().state).isEqualTo("Synced");
        });
        assertThat(hub.appliedRevision("production", prod.name())).isEqualTo(first);
      }
    }
  }

  private static RolloutSpec.Stage stage(String name, String environment, boolean approval) {
    RolloutSpec.Stage stage = new RolloutSpec.Stage();
    stage.name = name;
    stage.selector = new LabelSelectorBuilder().addToMatchLabels("environment", environment).build();
    stage.approval = approval ? true : null;
    return stage;
  }

  private static List<String> stageStates(HubScenario hub) {
    TrustDistribution distribution = hub.distribution("production");
    if (distribution == null || distribution.getStatus() == null || distribution.getStatus().rollout == null) {
      return List.of();
    }
    return distribution.getStatus().rollout.stages.stream().map(s -> s.state).toList();
  }

  /** `trustsync rollout approve --revision`, as a platform engineer runs it. */
  private void approve(HubScenario hub, String revision) {
    CommandRun approve = CommandRun.of("rollout", "approve", "production", "--revision", revision, "--kubeconfig", kubeconfig, "-n", hub.namespace);
    assertThat(approve.exitCode()).as(approve.err()).isZero();
    assertThat(approve.out()).contains("approved revision " + revision.substring(0, 12));
  }
}
