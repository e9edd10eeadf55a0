package io.trustsync.operator.distribution;

import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.operator.Conditions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Builds a TrustDistribution's whole status in one place from the per-cluster snapshots, with
 * kstatus conditions: Ready (every selected cluster live on the revision), Reconciling (work in
 * progress, including clusters that are unreachable for now), Stalled (needs a person), Drifted.
 */
final class DistributionStatus {
  private static final int MAX_DRIFT_PER_CLUSTER = 20;

  private DistributionStatus() {}

  /** A distribution that cannot start: no accepted revision, unknown environment, bad spec. */
  static TrustDistributionStatus blocked(TrustDistribution distribution, boolean stalled, String reason, String message) {
    TrustDistributionStatus previous = previous(distribution);
    TrustDistributionStatus status = new TrustDistributionStatus();
    status.observedGeneration = distribution.getMetadata().getGeneration();
    status.revision = previous.revision;
    status.clusters = previous.clusters;
    status.summary = previous.summary;
    status.syncedClusters = previous.syncedClusters;
    status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
        .set(Conditions.READY, false, reason, message)
        .set(Conditions.RECONCILING, !stalled, reason, stalled ? "" : message)
        .set(Conditions.STALLED, stalled, reason, stalled ? message : "")
        .set(Conditions.DRIFTED, false, reason, "")
        .build();
    return status;
  }

  static TrustDistributionStatus of(
      TrustDistribution distribution, String revision, List<ClusterSync.Snapshot> clusters, Map<String, String> configurationErrors, boolean suspended) {
    TrustDistributionStatus previous = previous(distribution);
    TrustDistributionStatus status = new TrustDistributionStatus();
    status.observedGeneration = distribution.getMetadata().getGeneration();
    status.revision = revision;
    TrustDistributionStatus.Summary summary = new TrustDistributionStatus.Summary();
    summary.total = clusters.size() + configurationErrors.size();
    summary.synced = 0;
    summary.drifted = 0;
    summary.applying = 0;
    summary.failed = configurationErrors.size();
    summary.unreachable = 0;
    for (ClusterSync.Snapshot snapshot : clusters) {
      TrustDistributionStatus.ClusterStatus cluster = new TrustDistributionStatus.ClusterStatus();
      cluster.name = snapshot.cluster();
      boolean current = revision.equals(snapshot.appliedRevision());
      ClusterSync.State state = snapshot.state() == ClusterSync.State.Synced && !current ? ClusterSync.State.Applying : snapshot.state();
      cluster.state = state.name();
      cluster.appliedRevision = snapshot.appliedRevision();
      cluster.namespace = snapshot.namespace();
      cluster.lastSyncTime = snapshot.lastSyncTime() == null ? null : snapshot.lastSyncTime().truncatedTo(ChronoUnit.SECONDS).toString();
      cluster.message = snapshot.message();
      for (ClusterSync.Drift drift : snapshot.drift().subList(0, Math.min(MAX_DRIFT_PER_CLUSTER, snapshot.drift().size()))) {
        TrustDistributionStatus.DriftStatus d = new TrustDistributionStatus.DriftStatus();
        d.object = drift.object();
        d.change = drift.change();
        d.fields.addAll(drift.fields());
        d.detectedAt = drift.detectedAt().truncatedTo(ChronoUnit.MILLIS).toString();
        cluster.drift.add(d);
      }
      switch (state) {
        case Synced -> summary.synced++;
        case Drifted -> summary.drifted++;
        case Applying -> summary.applying++;
        case Failed -> summary.failed++;
        case Unreachable -> summary.unreachable++;
      }
      status.clusters.add(cluster);
    }
    configurationErrors.forEach((name, message) -> {
      TrustDistributionStatus.ClusterStatus cluster = new TrustDistributionStatus.ClusterStatus();
      cluster.name = name;
      cluster.state = ClusterSync.State.Failed.name();
      cluster.message = message;
      status.clusters.add(cluster);
    });
    status.clusters.sort(java.util.Comparator.comparing(c -> c.name));
    status.summary = summary;
    status.syncedClusters = summary.synced + "/" + summary.total;

    Conditions conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now());
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
    return status.clusters.stream().filter(c -> state.equals(c.state)).findFirst()
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
