package io.trustsync.operator.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.trustsync.operator.distribution.RolloutPlan.Cluster;
import io.trustsync.operator.distribution.RolloutPlan.Decision;
import io.trustsync.operator.distribution.RolloutPlan.Memory;
import io.trustsync.operator.distribution.RolloutPlan.Stage;
import io.trustsync.operator.distribution.RolloutPlan.StageState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutPlanTest {
  static final String OLD = "old0000";
  static final String NEW = "new1111";
  static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  static Stage stage(String name, String environment, String maxUnavailable, Duration soak, boolean approval) {
    return new Stage(name, environment == null ? null : new LabelSelectorBuilder().addToMatchLabels("environment", environment).build(),
        maxUnavailable, soak, approval);
  }

  static Cluster cluster(String name, String environment, String target, String applied, String state) {
    return new Cluster(name, Map.of("environment", environment), target, applied, state);
  }

  /** A fleet on OLD: dev-1, dev-2, eu-1..3, us-1. */
  static List<Cluster> fleetOn(String revision) {
    List<Cluster> fleet = new ArrayList<>();
    for (String name : List.of("dev-1", "dev-2", "eu-1", "eu-2", "eu-3", "us-1")) {
      fleet.add(cluster(name, name.substring(0, name.indexOf('-')), revision, revision, "Synced"));
    }
    return fleet;
  }

  static final List<Stage> STAGES = List.of(stage("dev", "dev", null, null, false), stage("eu", "eu", "1", Duration.ofMinutes(30), false),
      stage("rest", null, "50%", null, false));

  /** Applies a decision as the targets would: every cluster moved to the revision it was given and synced there. */
  static List<Cluster> converge(List<Cluster> fleet, Decision decision) {
    return fleet.stream().map(c -> {
      String revision = decision.revisions().get(c.name());
      return new Cluster(c.name(), c.labels(), revision, revision, "Synced");
    }).toList();
  }

  @Test
  void aNewRevisionMovesStageByStageWithinTheConcurrencyLimit() {
    List<Cluster> fleet = fleetOn(OLD);
    Memory memory = new Memory(OLD, null, Map.of(), null, false, null);
    Decision first = RolloutPlan.plan(STAGES, fleet, NEW, memory, RolloutPlan.Controls.NONE, T0);
    assertThat(first.revisions()).containsEntry("dev-1", NEW).containsEntry("dev-2", NEW)
        .containsEntry("eu-1", OLD).containsEntry("us-1", OLD);
    assertThat(first.stages()).extracting(v -> v.state()).containsExactly(StageState.Progressing, StageState.Pending, StageState.Pending);
    assertThat(first.rolledOut()).isFalse();

    fleet = converge(fleet, first);
    Decision second = RolloutPlan.plan(STAGES, fleet, NEW, first.memory(), RolloutPlan.Controls.NONE, T0.plusSeconds(10));
    assertThat(second.stages().get(0).state()).isEqualTo(StageState.Done);
    // eu: maxUnavailable 1, one cluster at a time, by name
    assertThat(second.revisions()).containsEntry("eu-1", NEW).containsEntry("eu-2", OLD).containsEntry("eu-3", OLD).containsEntry("us-1", OLD);

    fleet = converge(fleet, second);
    Decision third = RolloutPlan.plan(STAGES, fleet, NEW, second.memory(), RolloutPlan.Controls.NONE, T0.plusSeconds(20));
    assertThat(third.revisions()).containsEntry("eu-2", NEW).containsEntry("eu-3", OLD);
  }

  @Test
  void aStageWaitsForTheSoakOfTheStageBeforeIt() {
    List<Cluster> fleet = fleetOn(NEW).stream().map(c -> c.name().startsWith("us") ? cluster("us-1", "us", OLD, OLD, "Synced") : c).toList();
    Memory memory = new Memory(NEW, OLD, Map.of("dev", T0), null, false, null);
    Decision soaking = RolloutPlan.plan(STAGES, fleet, NEW, memory, RolloutPlan.Controls.NONE, T0.plusSeconds(60));
    assertThat(soaking.stages().get(1).state()).isEqualTo(StageState.Soaking);
    assertThat(soaking.revisions()).containsEntry("us-1", OLD);
    Instant euDone = soaking.memory().doneAt().get("eu");
    assertThat(soaking.nextCheck()).isEqualTo(euDone.plus(Duration.ofMinutes(30)));

    Decision soaked = RolloutPlan.plan(STAGES, fleet, NEW, soaking.memory(), RolloutPlan.Controls.NONE, euDone.plus(Duration.ofMinutes(30)));
    assertThat(soaked.revisions()).containsEntry("us-1", NEW);
    fleet = converge(fleet, soaked);
    Decision done = RolloutPlan.plan(STAGES, fleet, NEW, soaked.memory(), RolloutPlan.Controls.NONE, euDone.plus(Duration.ofMinutes(31)));
    assertThat(done.rolledOut()).isTrue();
    assertThat(done.stages()).extracting(v -> v.state()).containsOnly(StageState.Done);
  }

  @Test
  void anApprovalGateHoldsItsStageUntilTheRevisionIsApproved() {
    List<Stage> gated = List.of(stage("dev", "dev", null, null, false), stage("prod", null, null, null, true));
    List<Cluster> fleet = fleetOn(OLD).stream().map(c -> c.name().startsWith("dev") ? cluster(c.name(), "dev", NEW, NEW, "Synced") : c).toList();
    Decision waiting = RolloutPlan.plan(gated, fleet, NEW, new Memory(NEW, OLD, Map.of(), OLD, false, null), RolloutPlan.Controls.NONE, T0);
    assertThat(waiting.stages().get(1).state()).isEqualTo(StageState.WaitingForApproval);
    assertThat(waiting.message()).contains("waits for approval of " + NEW);
    assertThat(waiting.revisions()).containsEntry("eu-1", OLD);

    Decision approved = RolloutPlan.plan(gated, fleet, NEW, new Memory(NEW, OLD, Map.of(), NEW, false, null), RolloutPlan.Controls.NONE, T0);
    assertThat(approved.revisions()).containsEntry("eu-1", NEW).containsEntry("us-1", NEW);
  }

  @Test
  void aFailureHaltsWhileItLastsOrRollsItsStageBackUntilResumed() {
    List<Cluster> fleet = fleetOn(OLD).stream().map(c -> switch (c.name()) {
      case "dev-1" -> cluster("dev-1", "dev", NEW, NEW, "Synced");
      case "dev-2" -> cluster("dev-2", "dev", NEW, OLD, "Failed");
      default -> c;
    }).toList();
    Memory memory = new Memory(NEW, OLD, Map.of(), null, false, null);
    Decision halted = RolloutPlan.plan(STAGES, fleet, NEW, memory, RolloutPlan.Controls.NONE, T0);
    assertThat(halted.halted()).isTrue();
    assertThat(halted.message()).contains("stage dev halted").contains("[dev-2] failed");
    assertThat(halted.revisions()).containsEntry("dev-2", NEW).containsEntry("eu-1", OLD);
    assertThat(halted.stages()).extracting(v -> v.state()).containsExactly(StageState.Halted, StageState.Halted, StageState.Halted);

    // dev-2 recovers (a transient error): the halt lifts by itself
    List<Cluster> recovered = fleet.stream().map(c -> c.name().equals("dev-2") ? cluster("dev-2", "dev", NEW, NEW, "Synced") : c).toList();
    Decision goingOn = RolloutPlan.plan(STAGES, recovered, NEW, halted.memory(), RolloutPlan.Controls.NONE, T0);
    assertThat(goingOn.halted()).isFalse();
    assertThat(goingOn.revisions()).containsEntry("eu-1", NEW);

    Decision rolledBack = RolloutPlan.plan(STAGES, fleet, NEW, memory, new RolloutPlan.Controls(true, false, false, false), T0);
    assertThat(rolledBack.revisions()).containsEntry("dev-1", OLD).containsEntry("dev-2", OLD).containsEntry("eu-1", OLD);
    assertThat(rolledBack.stages().getFirst().state()).isEqualTo(StageState.RolledBack);
    assertThat(rolledBack.message()).contains("went back to " + OLD);
    // a rollback is remembered: the stage does not move forward again until resumed
    List<Cluster> back = fleet.stream().map(c -> c.name().startsWith("dev") ? cluster(c.name(), "dev", OLD, OLD, "Synced") : c).toList();
    RolloutPlan.Controls rollback = new RolloutPlan.Controls(true, false, false, false);
    Decision stillBack = RolloutPlan.plan(STAGES, back, NEW, rolledBack.memory(), rollback, T0.plusSeconds(5));
    assertThat(stillBack.halted()).isTrue();
    assertThat(stillBack.revisions()).containsEntry("dev-1", OLD).containsEntry("dev-2", OLD);
    Decision resumed = RolloutPlan.plan(STAGES, back, NEW, rolledBack.memory(), new RolloutPlan.Controls(true, true, false, false), T0.plusSeconds(6));
    assertThat(resumed.halted()).isFalse();
    assertThat(resumed.revisions()).containsEntry("dev-1", NEW).containsEntry("dev-2", NEW);
  }

  @Test
  void aRememberedRollbackHoldsTheStageThatFailedAndNoEarlierOne() {
    // dev and eu are done on NEW; us-1 (stage rest) failed and was rolled back
    List<Cluster> fleet = fleetOn(NEW).stream().map(c -> c.name().equals("us-1") ? cluster("us-1", "us", OLD, OLD, "Synced") : c).toList();
    Memory memory = new Memory(NEW, OLD, Map.of("dev", T0, "eu", T0), null, true, "rest");
    Decision decision = RolloutPlan.plan(STAGES, fleet, NEW, memory, new RolloutPlan.Controls(true, false, false, false), T0.plus(Duration.ofHours(1)));
    assertThat(decision.revisions()).containsEntry("dev-1", NEW).containsEntry("eu-1", NEW).containsEntry("us-1", OLD);
    assertThat(decision.stages()).extracting(v -> v.state()).containsExactly(StageState.Done, StageState.Done, StageState.RolledBack);
    assertThat(decision.memory().haltedStage()).isEqualTo("rest");
  }

  @Test
  void aNewerRevisionSupersedesTheOneRollingOutFromTheFirstStage() {
    String newer = "newer22";
    List<Cluster> fleet = fleetOn(OLD).stream().map(c -> c.name().startsWith("dev") || c.name().equals("eu-1")
        ? cluster(c.name(), c.name().substring(0, c.name().indexOf('-')), NEW, NEW, "Synced") : c).toList();
    Memory midway = new Memory(NEW, OLD, Map.of("dev", T0), null, false, null);
    Decision superseded = RolloutPlan.plan(STAGES, fleet, newer, midway, RolloutPlan.Controls.NONE, T0.plusSeconds(5));
    assertThat(superseded.memory().previousRevision()).as("what is superseded is what the stages move from").isEqualTo(NEW);
    assertThat(superseded.memory().doneAt()).isEmpty();
    assertThat(superseded.revisions()).containsEntry("dev-1", newer).containsEntry("dev-2", newer)
        .as("eu-1 stays on the superseded revision, the others on the one before, until their turn")
        .containsEntry("eu-1", NEW).containsEntry("eu-2", OLD).containsEntry("us-1", OLD);
  }

  @Test
  void aSupersededRevisionThatNoStageCompletedIsNotWhatTheFleetRan() {
    String newer = "newer22";
    List<Cluster> fleet = fleetOn(OLD).stream().map(c -> c.name().equals("dev-1") ? cluster("dev-1", "dev", NEW, NEW, "Synced") : c).toList();
    Memory early = new Memory(NEW, OLD, Map.of(), null, false, null);
    Decision superseded = RolloutPlan.plan(STAGES, fleet, newer, early, RolloutPlan.Controls.NONE, T0);
    assertThat(superseded.memory().previousRevision()).isEqualTo(OLD);
    assertThat(superseded.revisions()).containsEntry("dev-1", newer).containsEntry("eu-1", OLD);
  }

  @Test
  void aRollbackReturnsAFailedClusterToWhatItStillRuns() {
    // dev completed NEW; NEWER superseded it and fails on eu-1, which still runs OLD (its apply never happened)
    String newer = "newer22";
    List<Cluster> fleet = fleetOn(OLD).stream().map(c -> switch (c.name()) {
      case "dev-1", "dev-2" -> cluster(c.name(), "dev", newer, newer, "Synced");
      case "eu-1" -> cluster("eu-1", "eu", newer, OLD, "Failed");
      case "eu-2" -> cluster("eu-2", "eu", newer, NEW, "Failed");
      default -> c;
    }).toList();
    Memory memory = new Memory(newer, NEW, Map.of("dev", T0), null, false, null);
    Decision back = RolloutPlan.plan(STAGES, fleet, newer, memory, new RolloutPlan.Controls(true, false, false, false), T0);
    assertThat(back.revisions()).as("each goes back to what it ran").containsEntry("eu-1", OLD).containsEntry("eu-2", NEW)
        .as("one that had not moved yet stays").containsEntry("eu-3", OLD);
    Decision aborted = RolloutPlan.plan(STAGES, fleet, newer, memory, new RolloutPlan.Controls(false, false, false, true), T0);
    assertThat(aborted.revisions()).containsEntry("dev-1", NEW).containsEntry("eu-1", OLD).containsEntry("eu-2", NEW);
  }

  @Test
  void aStageSaysWhichClustersItWaitsForAndInWhatState() {
    List<Cluster> fleet = fleetOn(OLD).stream().map(c -> switch (c.name()) {
      case "dev-1" -> cluster("dev-1", "dev", NEW, OLD, "Unreachable");
      case "dev-2" -> cluster("dev-2", "dev", NEW, NEW, "Drifted");
      default -> c;
    }).toList();
    Decision decision = RolloutPlan.plan(STAGES, fleet, NEW, new Memory(NEW, OLD, Map.of(), null, false, null), RolloutPlan.Controls.NONE, T0);
    assertThat(decision.halted()).as("neither failed: the stage waits, it does not halt").isFalse();
    assertThat(decision.stages().getFirst().waitingFor()).isEqualTo("clusters to sync: dev-1 Unreachable, dev-2 Drifted");
  }

  @Test
  void aFirstRollOutCreatesNoTargetAheadOfItsStage() {
    List<Cluster> fresh = fleetOn(OLD).stream().map(c -> new Cluster(c.name(), c.labels(), null, null, null)).toList();
    Decision first = RolloutPlan.plan(STAGES, fresh, NEW, null, RolloutPlan.Controls.NONE, T0);
    assertThat(first.revisions()).containsEntry("dev-1", NEW).containsEntry("eu-1", null).containsEntry("us-1", null);
  }

  @Test
  void aPausedRollOutMovesNothingNewAndAnAbortedOneGoesBack() {
    List<Cluster> fleet = fleetOn(OLD).stream().map(c -> switch (c.name()) {
      case "dev-1", "dev-2" -> cluster(c.name(), "dev", NEW, NEW, "Synced");
      case "eu-1" -> cluster("eu-1", "eu", NEW, OLD, "Applying");
      default -> c;
    }).toList();
    Memory memory = new Memory(NEW, OLD, Map.of("dev", T0), null, false, null);
    Decision paused = RolloutPlan.plan(STAGES, fleet, NEW, memory, new RolloutPlan.Controls(false, false, true, false), T0.plusSeconds(5));
    assertThat(paused.stages()).extracting(v -> v.state()).containsExactly(StageState.Done, StageState.Paused, StageState.Pending);
    assertThat(paused.revisions()).as("what moved stays, nothing new moves").containsEntry("eu-1", NEW).containsEntry("eu-2", OLD);
    assertThat(paused.rolledOut()).isFalse();

    Decision aborted = RolloutPlan.plan(STAGES, fleet, NEW, memory, new RolloutPlan.Controls(false, false, false, true), T0.plusSeconds(5));
    assertThat(aborted.revisions()).containsEntry("dev-1", OLD).containsEntry("dev-2", OLD).containsEntry("eu-1", OLD).containsEntry("us-1", OLD);
    assertThat(aborted.stages()).extracting(v -> v.state()).containsOnly(StageState.Aborted);
    assertThat(aborted.message()).contains("aborted").contains("go back to " + OLD);
  }

  @Test
  void maxUnavailableIsACountOrAPercentOfTheStageRoundedUp() {
    assertThat(RolloutPlan.count(null, 7)).isEqualTo(7);
    assertThat(RolloutPlan.count("2", 7)).isEqualTo(2);
    assertThat(RolloutPlan.count("25%", 7)).isEqualTo(2);
    assertThat(RolloutPlan.count("1%", 3)).isEqualTo(1);
    assertThat(RolloutPlan.count(null, 0)).isEqualTo(1);
    assertThatThrownBy(() -> RolloutPlan.count("0", 3)).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> RolloutPlan.count("150%", 3)).hasMessageContaining("1% to 100%");
  }
}
