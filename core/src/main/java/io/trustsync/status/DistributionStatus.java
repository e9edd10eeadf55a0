package io.trustsync.status;

import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a TrustDistribution's whole status in one place, as a function of (previous status,
 * what its targets report, now), with kstatus conditions: Ready (every selected cluster live on
 * the revision), Reconciling (work in progress, including clusters that are unreachable for
 * now), Stalled (needs a person), Drifted. Bounded at any fleet size: counts per state, clusters
 * per revision, and the first few problems; each cluster's detail is in its target.
 */
public final class DistributionStatus {
  static final int MAX_PROBLEMS = 10;

  /** One selected cluster as its target reports it ({@code state} Applying when it has no status yet). */
  public record ClusterView(String name, String state, String appliedRevision, String message, int driftedObjects) {}

  private DistributionStatus() {}

  /** A distribution that cannot start: no accepted revision, unknown environment, bad spec. */
  public static TrustDistributionStatus blocked(TrustDistribution distribution, boolean stalled, String reason, String message) {
    TrustDistributionStatus previous = previous(distribution);
    TrustDistributionStatus status = new TrustDistributionStatus();
    status.observedGeneration = distribution.getMetadata().getGeneration();
    status.revision = previous.revision;
    status.revisions = previous.revisions;
    status.problems = previous.problems;
    status.summary = previous.summary;
    status.syncedClusters = previous.syncedClusters;
    status.divergedSince = previous.divergedSince;
    status.rollout = previous.rollout; // what a roll-out remembers survives a spec mistake
    status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
        .set(Conditions.READY, false, reason, message)
        .set(Conditions.RECONCILING, !stalled, reason, stalled ? "" : message)
        .set(Conditions.STALLED, stalled, reason, stalled ? message : "")
        .set(Conditions.DRIFTED, false, reason, "")
        .build();
    return status;
  }

  public static TrustDistributionStatus of(TrustDistribution distribution, String revision, List<ClusterView> clusters, boolean suspended, Instant now) {
    return of(distribution, revision, clusters, suspended, List.of(), now);
  }

  /**
   * As above, with the rendering's warnings: any warning sets {@code Lossy} (the profile cannot
   * express part of the policy), naming how many and the first; none clears it.
   */
  public static TrustDistributionStatus of(TrustDistribution distribution, String revision, List<ClusterView> clusters, boolean suspended,
      List<io.trustsync.findings.Finding> renderingWarnings, Instant now) {
    TrustDistributionStatus status = aggregate(distribution, revision, clusters, suspended, now);
    // against the distribution's previous conditions, so an unchanged Lossy keeps its transition time
    Conditions conditions = new Conditions(previous(distribution).conditions, status.observedGeneration, now);
    if (renderingWarnings.isEmpty()) {
      conditions.set(Conditions.LOSSY, false, "Faithful", "the profile expresses the whole policy");
    } else {
      var first = renderingWarnings.getFirst();
      conditions.set(Conditions.LOSSY, true, "ProfileCannotExpress", renderingWarnings.size() + " part(s) of the policy cannot be expressed by "
          + "this profile; first: " + first.ruleId() + " at " + first.file() + first.pointer() + ": " + first.message()
          + " (all are RenderingWarning events, and `trustsync render` prints them)");
    }
    List<io.fabric8.kubernetes.api.model.Condition> all = new ArrayList<>(status.conditions);
    all.addAll(conditions.build());
    status.conditions = List.copyOf(all);
    return status;
  }

  private static TrustDistributionStatus aggregate(TrustDistribution distribution, String revision, List<ClusterView> clusters, boolean suspended,
      Instant now) {
    TrustDistributionStatus previous = previous(distribution);
    TrustDistributionStatus status = new TrustDistributionStatus();
    status.observedGeneration = distribution.getMetadata().getGeneration();
    status.revision = revision;
    TrustDistributionStatus.Summary summary = new TrustDistributionStatus.Summary();
    summary.total = clusters.size();
    summary.synced = 0;
    summary.drifted = 0;
    summary.applying = 0;
    summary.failed = 0;
    summary.unreachable = 0;
    summary.degraded = 0;
    Map<String, Integer> byRevision = new TreeMap<>();
    for (ClusterView cluster : clusters.stream().sorted(Comparator.comparing(ClusterView::name)).toList()) {
      // a cluster still on an older revision is applying, whatever its target said about that one
      String state = cluster.state().equals("Synced") && !revision.equals(cluster.appliedRevision()) ? "Applying" : cluster.state();
      switch (state) {
        case "Synced" -> summary.synced++;
        case "Drifted" -> summary.drifted++;
        case "Failed" -> summary.failed++;
        case "Unreachable" -> summary.unreachable++;
        case "Degraded" -> summary.degraded++;
        default -> summary.applying++;
      }
      if (cluster.appliedRevision() != null) {
        byRevision.merge(cluster.appliedRevision(), 1, Integer::sum);
      }
      if (!state.equals("Synced") && status.problems.size() < MAX_PROBLEMS) {
        TrustDistributionStatus.ClusterStatus problem = new TrustDistributionStatus.ClusterStatus();
        problem.name = cluster.name();
        problem.state = state;
        problem.appliedRevision = cluster.appliedRevision();
        problem.message = cluster.message();
        problem.driftedObjects = cluster.driftedObjects() > 0 ? cluster.driftedObjects() : null;
        status.problems.add(problem);
      }
    }
    byRevision.entrySet().stream()
        .sorted(Comparator.comparing((Map.Entry<String, Integer> e) -> !e.getKey().equals(revision)).thenComparing(e -> -e.getValue()))
        .forEach(e -> {
          TrustDistributionStatus.RevisionCount count = new TrustDistributionStatus.RevisionCount();
          count.revision = e.getKey();
          count.clusters = e.getValue();
          status.revisions.add(count);
        });
    status.summary = summary;
    status.syncedClusters = summary.synced + "/" + summary.total;

    Conditions conditions = new Conditions(previous.conditions, status.observedGeneration, now);
    String shortRev = revision.length() > 12 ? revision.substring(0, 12) : revision;
    if (summary.total == 0) {
      String message = "no MemberCluster in this namespace matches spec.clusterSelector";
      return finish(status, conditions.set(Conditions.READY, false, "NoClustersSelected", message)
          .set(Conditions.RECONCILING, false, "NoClustersSelected", "")
          .set(Conditions.STALLED, true, "NoClustersSelected", message)
          .set(Conditions.DRIFTED, false, "NoClustersSelected", ""));
    }
    boolean drifted = summary.drifted > 0;
    String driftMessage = drifted ? summary.drifted + " cluster(s) differ from Git" : "";
    if (summary.synced.equals(summary.total)) {
      conditions.set(Conditions.READY, true, suspended ? "Suspended" : "Synced",
              "revision " + shortRev + " is live in " + summary.total + "/" + summary.total + " clusters")
          .set(Conditions.RECONCILING, false, "Synced", "")
          .set(Conditions.STALLED, false, "Synced", "");
    } else if (summary.failed > 0) {
      String message = summary.failed + " cluster(s) failed: " + firstMessage(status, "Failed");
      conditions.set(Conditions.READY, false, "ApplyFailed", message)
          .set(Conditions.RECONCILING, summary.applying + summary.unreachable > 0, "ApplyFailed", "retrying")
          .set(Conditions.STALLED, true, "ApplyFailed", message);
    } else if (summary.degraded > 0) {
      String message = summary.degraded + " cluster(s) degraded: " + firstMessage(status, "Degraded");
      conditions.set(Conditions.READY, false, "ConsumerRejected", message)
          .set(Conditions.RECONCILING, summary.applying + summary.unreachable > 0, "ConsumerRejected", "")
          .set(Conditions.STALLED, false, "ConsumerRejected", "");
    } else if (drifted && summary.applying + summary.unreachable == 0) {
      conditions.set(Conditions.READY, false, "Drifted", driftMessage)
          .set(Conditions.RECONCILING, false, "Drifted", "")
          .set(Conditions.STALLED, false, "Drifted", "");
    } else {
      String reason = summary.unreachable > 0 ? "ClusterUnreachable" : "Applying";
      String message = summary.synced + "/" + summary.total + " clusters on revision " + shortRev
          + (summary.unreachable > 0 ? "; unreachable: " + firstMessage(status, "Unreachable") : "");
      conditions.set(Conditions.READY, false, reason, message)
          .set(Conditions.RECONCILING, true, reason, message)
          .set(Conditions.STALLED, false, reason, "");
    }
    conditions.set(Conditions.DRIFTED, drifted, drifted ? "DriftDetected" : "NoDrift", driftMessage);
    return finish(status, conditions);
  }

  private static String firstMessage(TrustDistributionStatus status, String state) {
    return status.problems.stream().filter(c -> state.equals(c.state)).findFirst()
        .map(c -> c.name + ": " + c.message).orElse("");
  }

  private static TrustDistributionStatus finish(TrustDistributionStatus status, Conditions conditions) {
    status.conditions = conditions.build();
    return status;
  }

  private static TrustDistributionStatus previous(TrustDistribution distribution) {
    return distribution.getStatus() != null ? distribution.getStatus() : new TrustDistributionStatus();
  }
}
