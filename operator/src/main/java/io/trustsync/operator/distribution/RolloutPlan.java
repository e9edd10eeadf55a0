package io.trustsync.operator.distribution;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.trustsync.operator.member.MemberDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which revision each cluster of a staged distribution should run now. Clusters belong to the
 * first stage whose selector matches them (a stage without a selector takes every cluster not
 * taken before). A new revision moves stage by stage: a stage starts once the stage before it is
 * done (every cluster Synced on the revision) and has soaked, and, when it needs approval, once
 * the revision is approved; within a stage at most {@code maxUnavailable} clusters are moving at a
 * time. A cluster that fails on the new revision halts the roll-out; with rollback, the clusters
 * of its stage go back to the revision they ran before, until resumed. Pure: the reconciler gives it the
 * clusters' states and the clock, and writes what it decides.
 */
public final class RolloutPlan {
  /** One stage as the spec gives it; {@code maxUnavailable} already resolved to a count for its size by {@link #count}. */
  public record Stage(String name, LabelSelector selector, String maxUnavailable, Duration soak, boolean approval) {}

  /** One cluster: its labels, the revision its target asks for, and what it reported for it. */
  public record Cluster(String name, Map<String, String> labels, String targetRevision, String appliedRevision, String state) {
    boolean syncedOn(String revision) {
      return revision.equals(appliedRevision) && revision.equals(targetRevision) && "Synced".equals(state);
    }

    boolean failedOn(String revision) {
      return revision.equals(targetRevision) && ("Failed".equals(state) || "Degraded".equals(state));
    }
  }

  /**
   * What a roll-out remembers between reconciles (kept in the distribution's status): the
   * revision rolling out, the one the fleet ran before, when each stage became done, the
   * revision approved, and whether it halted (until resumed or superseded).
   */
  public record Memory(String revision, String previousRevision, Map<String, Instant> doneAt, String approvedRevision, boolean halted,
      String haltedStage) {}

  public enum StageState { Pending, WaitingForApproval, Progressing, Soaking, Done, Halted, RolledBack, Paused, Aborted }

  /**
   * What people asked for: roll back a failing stage (spec onFailure), resume a halted roll-out,
   * pause it where it is (nothing new moves), or abort it (every cluster that took the revision
   * goes back to the one before, and the revision goes no further).
   */
  public record Controls(boolean rollback, boolean resume, boolean paused, boolean aborted) {
    public static final Controls NONE = new Controls(false, false, false, false);
  }

  public record StageView(String name, List<String> clusters, int synced, StageState state, String waitingFor, Instant doneAt) {}

  /**
   * The decision: the revision each cluster's target must ask for (null: no target yet), each
   * stage's state, whether the revision runs everywhere, whether the roll-out halted, and when
   * to look again at the latest (a soak ending).
   */
  public record Decision(Map<String, String> revisions, List<StageView> stages, boolean rolledOut, boolean halted, String message,
      Memory memory, Instant nextCheck) {}

  private RolloutPlan() {}

  /** {@code maxUnavailable} as a count for a stage of {@code size} clusters: "2", "25%" (rounded up), at least 1; null: all. */
  public static int count(String maxUnavailable, int size) {
    if (maxUnavailable == null || maxUnavailable.isBlank()) {
      return Math.max(1, size);
    }
    String value = maxUnavailable.trim();
    if (value.endsWith("%")) {
      int percent = Integer.parseInt(value.substring(0, value.length() - 1).trim());
      if (percent < 1 || percent > 100) {
        throw new IllegalArgumentException("maxUnavailable '" + maxUnavailable + "' must be 1% to 100%");
      }
      return Math.max(1, (size * percent + 99) / 100);
    }
    int n = Integer.parseInt(value);
    if (n < 1) {
      throw new IllegalArgumentException("maxUnavailable '" + maxUnavailable + "' must be at least 1");
    }
    return n;
  }

  /**
   * Plans the roll-out of {@code revision}. A revision other than the one remembered supersedes
   * it: the new one starts again from the first stage, and every cluster not yet moved keeps
   * what it runs (the superseded revision or the one before) until its stage's turn.
   */
  public static Decision plan(List<Stage> stages, List<Cluster> clusters, String revision, Memory memory, Controls controls, Instant now) {
    boolean rollback = controls.rollback();
    boolean resume = controls.resume();
    boolean same = memory != null && revision.equals(memory.revision());
    // what the fleet ran: a superseded revision that no stage completed is not it (the one before it is)
    String previous = same ? memory.previousRevision() : memory == null ? null
        : memory.doneAt().isEmpty() && memory.previousRevision() != null ? memory.previousRevision() : memory.revision();
    Map<String, Instant> doneAt = new LinkedHashMap<>(same ? memory.doneAt() : Map.of());
    String approved = memory == null ? null : memory.approvedRevision();
    // a rollback is remembered until resumed or superseded (else the stage would move forward again at once);
    // a halt lasts while a cluster is failing: one that recovers (a transient error) lets the roll-out go on
    // the remembered rollback holds the stage that failed, and only it: the stages before it stay done
    String rolledBackStage = rollback && same && memory.halted() && !resume ? memory.haltedStage() : null;
    boolean halted = false;
    String haltedStage = null;

    Map<String, List<Cluster>> byStage = new LinkedHashMap<>();
    stages.forEach(stage -> byStage.put(stage.name(), new ArrayList<>()));
    for (Cluster cluster : clusters) {
      stages.stream().filter(stage -> stage.selector() == null || MemberDirectory.matches(stage.selector(), cluster.labels()))
          .findFirst().ifPresent(stage -> byStage.get(stage.name()).add(cluster));
    }
    Map<String, String> revisions = new LinkedHashMap<>();
    List<StageView> views = new ArrayList<>();
    if (controls.aborted()) {
      // every cluster that took the revision goes back; the others keep what they run
      for (Stage stage : stages) {
        List<Cluster> members = byStage.get(stage.name());
        members.forEach(c -> revisions.put(c.name(), revision.equals(c.targetRevision()) && previous != null ? before(c, previous, revision)
            : holding(c, previous, revision)));
        views.add(new StageView(stage.name(), members.stream().map(Cluster::name).sorted().toList(),
            (int) members.stream().filter(c -> c.syncedOn(revision)).count(), StageState.Aborted, "a new revision", null));
      }
      clusters.forEach(c -> revisions.putIfAbsent(c.name(), c.targetRevision()));
      String message = "the roll-out of " + revision + " was aborted" + (previous == null ? "" : "; clusters that took it go back to " + previous)
          + "; a new revision starts a new roll-out";
      return new Decision(revisions, views, false, false, message, new Memory(revision, previous, doneAt, approved, false, null), null);
    }
    boolean blocked = false;
    String message = null;
    Instant nextCheck = null;
    for (int i = 0; i < stages.size(); i++) {
      Stage stage = stages.get(i);
      boolean last = i == stages.size() - 1;
      List<Cluster> members = byStage.get(stage.name());
      List<String> names = members.stream().map(Cluster::name).sorted().toList();
      int synced = (int) members.stream().filter(c -> c.syncedOn(revision)).count();
      if (blocked) {
        members.forEach(c -> revisions.put(c.name(), holding(c, previous, revision)));
        // (holding keeps a cluster that already runs the revision on it: nothing ever moves back but by rollback)
        views.add(new StageView(stage.name(), names, synced, halted ? StageState.Halted : StageState.Pending, "the stage before it", null));
        continue;
      }
      List<String> failed = members.stream().filter(c -> c.failedOn(revision)).map(Cluster::name).sorted().toList();
      if (stage.name().equals(rolledBackStage) || !failed.isEmpty()) {
        halted = true;
        haltedStage = stage.name();
        blocked = true;
        if (rollback && previous != null) {
          members.forEach(c -> revisions.put(c.name(), before(c, previous, revision)));
          message = "stage " + stage.name() + (failed.isEmpty() ? "" : " failed on " + failed) + "; its clusters went back to "
              + previous + "; a new revision or `trustsync rollout resume` starts again";
          views.add(new StageView(stage.name(), names, synced, StageState.RolledBack, "a new revision, or resume", null));
        } else {
          members.forEach(c -> revisions.put(c.name(), holding(c, previous, revision)));
          message = "stage " + stage.name() + " halted" + (failed.isEmpty() ? "" : ": " + failed + " failed on the revision")
              + "; fix it and `trustsync rollout resume`, or push a new revision";
          views.add(new StageView(stage.name(), names, synced, StageState.Halted, "a fix and resume, or a new revision", null));
        }
        continue;
      }
      if (synced == members.size() || doneAt.containsKey(stage.name())) {
        // once done, a stage stays done for this revision: a later drift is corrected, not a reason to stop
        Instant done = doneAt.computeIfAbsent(stage.name(), k -> now);
        members.forEach(c -> revisions.put(c.name(), revision));
        Instant soaked = stage.soak() == null ? done : done.plus(stage.soak());
        if (!last && now.isBefore(soaked)) {
          blocked = true;
          message = "stage " + stage.name() + " is done and soaks until " + soaked;
          nextCheck = soaked;
          views.add(new StageView(stage.name(), names, synced, StageState.Soaking, "soak until " + soaked, done));
        } else {
          views.add(new StageView(stage.name(), names, synced, StageState.Done, null, done));
        }
        continue;
      }
      blocked = true;
      if (controls.paused()) {
        message = "the roll-out of " + revision + " is paused at stage " + stage.name() + " (trustsync rollout resume)";
        members.forEach(c -> revisions.put(c.name(), holding(c, previous, revision)));
        views.add(new StageView(stage.name(), names, synced, StageState.Paused, "resume", null));
        continue;
      }
      if (stage.approval() && !revision.equals(approved) && members.stream().noneMatch(c -> revision.equals(c.targetRevision()))) {
        message = "stage " + stage.name() + " waits for approval of " + revision + " (trustsync rollout approve)";
        members.forEach(c -> revisions.put(c.name(), holding(c, previous, revision)));
        views.add(new StageView(stage.name(), names, synced, StageState.WaitingForApproval, "approval", null));
        continue;
      }
      // keep those already moved; move more while fewer than maxUnavailable are on their way
      int budget = count(stage.maxUnavailable(), members.size());
      int moving = (int) members.stream().filter(c -> revision.equals(c.targetRevision()) && !c.syncedOn(revision)).count();
      for (Cluster cluster : members.stream().sorted(java.util.Comparator.comparing(Cluster::name)).toList()) {
        if (revision.equals(cluster.targetRevision())) {
          revisions.put(cluster.name(), revision);
        } else if (moving < budget) {
          revisions.put(cluster.name(), revision);
          moving++;
        } else {
          revisions.put(cluster.name(), holding(cluster, previous, revision));
        }
      }
      message = "stage " + stage.name() + ": " + synced + "/" + members.size() + " clusters synced on " + revision;
      views.add(new StageView(stage.name(), names, synced, StageState.Progressing, unsynced(members, revision), null));
    }
    // a cluster no stage takes keeps what it runs
    for (Cluster cluster : clusters) {
      revisions.putIfAbsent(cluster.name(), cluster.targetRevision());
    }
    boolean rolledOut = !blocked && !halted;
    if (rolledOut) {
      message = "revision " + revision + " runs on every stage";
    }
    return new Decision(revisions, views, rolledOut, halted, message, new Memory(revision, previous, doneAt, approved, halted, haltedStage),
        nextCheck);
  }

  /** "clusters to sync", naming up to five with their state: an Unreachable or report-mode Drifted one holds its stage. */
  private static String unsynced(List<Cluster> members, String revision) {
    List<String> waiting = members.stream().filter(c -> !c.syncedOn(revision)).sorted(java.util.Comparator.comparing(Cluster::name))
        .map(c -> c.name() + " " + (revision.equals(c.targetRevision()) ? (c.state() == null ? "Applying" : c.state()) : "not moved yet"))
        .toList();
    return "clusters to sync: " + String.join(", ", waiting.subList(0, Math.min(5, waiting.size())))
        + (waiting.size() > 5 ? " and " + (waiting.size() - 5) + " more" : "");
  }

  /**
   * Where a cluster goes back to: what it still runs if the new revision never got applied there
   * (an apply that failed leaves the old content), else the fleet's previous revision.
   */
  private static String before(Cluster cluster, String previous, String revision) {
    return cluster.appliedRevision() != null && !cluster.appliedRevision().equals(revision) ? cluster.appliedRevision() : previous;
  }

  /** What a cluster that may not move now runs: what its target already asks for, else (no target yet) the previous revision. */
  private static String holding(Cluster cluster, String previous, String revision) {
    return cluster.targetRevision() != null ? cluster.targetRevision() : previous;
  }
}
