package io.trustsync.operator.distribution;

import io.trustsync.crd.distribution.RolloutSpec;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.operator.shared.EventRecorder;
import io.trustsync.operator.shared.GoDuration;
import io.trustsync.operator.shared.RolloutAnnotations;
import io.trustsync.status.Conditions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A TrustDistribution's spec.rollout between the API and {@link RolloutPlan}: reads the stages,
 * the clusters' targets and what the status remembers; writes status.rollout and the RolledOut
 * condition, and an event when a roll-out halts or completes.
 */
final class Rollouts {
  static final String ROLLED_OUT = "RolledOut";

  record Outcome(RolloutPlan.Decision decision, boolean halting, String haltedAt, RolloutPlan.Controls controls) {}

  private Rollouts() {}

  static Outcome plan(TrustDistribution distribution, List<MemberCluster> members, Map<String, TrustDistributionTarget> targets,
      String revision, String previousAccepted, Instant now) {
    RolloutSpec spec = distribution.getSpec().rollout;
    List<RolloutPlan.Stage> stages = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (RolloutSpec.Stage stage : spec.stages) {
      if (stage.name == null || stage.name.isBlank() || !names.add(stage.name)) {
        throw new IllegalArgumentException("every stage needs a name of its own; '" + stage.name + "' is " + (stage.name == null ? "missing" : "repeated"));
      }
      try {
        RolloutPlan.count(stage.maxUnavailable, 1);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("stage " + stage.name + ": maxUnavailable '" + stage.maxUnavailable + "' is neither a count nor a percent");
      }
      Duration soak = stage.soak == null ? null : GoDuration.parse(stage.soak, Duration.ZERO);
      stages.add(new RolloutPlan.Stage(stage.name, stage.selector, stage.maxUnavailable, soak, Boolean.TRUE.equals(stage.approval)));
    }
    List<RolloutPlan.Cluster> clusters = new ArrayList<>();
    for (MemberCluster member : members) {
      String name = member.getMetadata().getName();
      TrustDistributionTarget target = targets.get(name);
      var status = target == null ? null : target.getStatus();
      clusters.add(new RolloutPlan.Cluster(name, member.getMetadata().getLabels() == null ? Map.of() : member.getMetadata().getLabels(),
          target == null ? null : target.getSpec().revision, status == null ? null : status.appliedRevision,
          status == null ? null : status.state));
    }
    TrustDistributionStatus.RolloutStatus remembered = distribution.getStatus() == null ? null : distribution.getStatus().rollout;
    RolloutPlan.Memory memory;
    if (remembered == null || remembered.revision == null) {
      // the first roll-out this distribution records: it moves from what the fleet ran (the source's previous revision)
      memory = previousAccepted == null ? null : new RolloutPlan.Memory(previousAccepted, null, Map.of(), null, false, null);
    } else {
      Map<String, Instant> doneAt = new LinkedHashMap<>();
      for (TrustDistributionStatus.StageStatus stage : remembered.stages) {
        if (stage.doneAt != null) {
          doneAt.put(stage.name, Instant.parse(stage.doneAt));
        }
      }
      String haltedStage = remembered.stages.stream().filter(stage -> "RolledBack".equals(stage.state) || "Halted".equals(stage.state))
          .map(stage -> stage.name).findFirst().orElse(null);
      memory = new RolloutPlan.Memory(remembered.revision, remembered.previousRevision, doneAt, null, remembered.haltedAt != null, haltedStage);
      if ("Aborted".equals(remembered.state) && !revision.equals(remembered.revision) && remembered.previousRevision != null) {
        // the aborted revision went back: the fleet runs the one before it, and the next roll-out moves from there
        memory = new RolloutPlan.Memory(remembered.previousRevision, null, Map.of(), null, false, null);
      }
    }
    Map<String, String> annotations = distribution.getMetadata().getAnnotations() == null ? Map.of() : distribution.getMetadata().getAnnotations();
    String approval = annotations.get(RolloutAnnotations.APPROVED_REVISION);
    String approved = approval != null && approval.length() >= 7 && revision.startsWith(approval) ? revision : null;
    if (memory != null) {
      memory = new RolloutPlan.Memory(memory.revision(), memory.previousRevision(), memory.doneAt(), approved, memory.halted(),
          memory.haltedStage());
    } else if (approved != null) {
      memory = new RolloutPlan.Memory(revision, null, Map.of(), approved, false, null);
    }
    boolean resume = false;
    if (remembered != null && remembered.haltedAt != null && annotations.get(RolloutAnnotations.RESUMED_AT) != null) {
      try {
        resume = Instant.parse(annotations.get(RolloutAnnotations.RESUMED_AT)).isAfter(Instant.parse(remembered.haltedAt));
      } catch (RuntimeException e) {
        resume = false;
      }
    }
    String aborted = annotations.get(RolloutAnnotations.ABORTED_REVISION);
    RolloutPlan.Controls controls = new RolloutPlan.Controls("rollback".equals(spec.onFailure), resume,
        "true".equals(annotations.get(RolloutAnnotations.PAUSED)),
        aborted != null && aborted.length() >= 7 && revision.startsWith(aborted));
    RolloutPlan.Decision decision = RolloutPlan.plan(stages, clusters, revision, memory, controls, now);
    boolean sameRevision = remembered != null && revision.equals(remembered.revision);
    String haltedAt = !decision.halted() ? null
        : sameRevision && remembered.haltedAt != null && !resume ? remembered.haltedAt : now.truncatedTo(ChronoUnit.SECONDS).toString();
    boolean halting = decision.halted() && (!sameRevision || remembered.haltedAt == null || resume);
    return new Outcome(decision, halting, haltedAt, controls);
  }

  private static String state(Outcome outcome) {
    RolloutPlan.Decision decision = outcome.decision();
    if (outcome.controls().aborted()) {
      return "Aborted";
    }
    if (decision.halted()) {
      return "Halted";
    }
    if (decision.rolledOut()) {
      return "RolledOut";
    }
    return outcome.controls().paused() ? "Paused" : "RollingOut";
  }

  static void report(TrustDistribution distribution, Outcome outcome, TrustDistributionStatus status, EventRecorder events) {
    RolloutPlan.Decision decision = outcome.decision();
    TrustDistributionStatus.RolloutStatus rollout = new TrustDistributionStatus.RolloutStatus();
    rollout.revision = decision.memory().revision();
    rollout.previousRevision = decision.memory().previousRevision();
    rollout.state = state(outcome);
    rollout.message = decision.message();
    rollout.haltedAt = outcome.haltedAt();
    rollout.nextCheck = decision.nextCheck() == null ? null : decision.nextCheck().truncatedTo(ChronoUnit.SECONDS).toString();
    for (RolloutPlan.StageView view : decision.stages()) {
      TrustDistributionStatus.StageStatus stage = new TrustDistributionStatus.StageStatus();
      stage.name = view.name();
      stage.clusters = view.clusters().size();
      stage.synced = view.synced();
      stage.state = view.state().name();
      stage.waitingFor = view.waitingFor();
      Instant done = decision.memory().doneAt().get(view.name());
      stage.doneAt = done == null ? null : done.toString();
      rollout.stages.add(stage);
    }
    TrustDistributionStatus.RolloutStatus before = distribution.getStatus() == null ? null : distribution.getStatus().rollout;
    status.rollout = rollout;
    String reason = state(outcome);
    status.conditions = new Conditions(status.conditions, distribution.getMetadata().getGeneration(), Instant.now())
        .set(ROLLED_OUT, decision.rolledOut(), reason, decision.message()).build();
    if (outcome.halting()) {
      events.warning(distribution, "RolloutHalted", decision.message());
    } else if (decision.rolledOut() && (before == null || !"RolledOut".equals(before.state) || !rollout.revision.equals(before.revision))) {
      events.normal(distribution, "RolledOut", decision.message());
    }
  }
}
