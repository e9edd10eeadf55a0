package io.trustsync.crd.distribution;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustDistributionStatus {
  public Long observedGeneration;

  @JsonPropertyDescription("The trustsync.io/reconcile-requested-at annotation value of the last request handled;"
      + " `trustsync reconcile distribution` waits for it.")
  public String lastHandledReconcileAt;

  @JsonPropertyDescription("Revision of the source being distributed.")
  public String revision;

  @JsonPropertyDescription("Synced clusters out of selected clusters, e.g. 3/3.")
  public String syncedClusters;

  @JsonPropertyDescription("Counts of selected clusters by state.")
  public Summary summary;

  @JsonPropertyDescription("How many clusters hold each revision, newest first: which revision each cluster runs, at any fleet size.")
  public List<RevisionCount> revisions = new ArrayList<>();

  @JsonPropertyDescription("The first clusters (at most 10, by name) that are not Synced, with why; each cluster's whole state is in its TrustDistributionTarget.")
  public List<ClusterStatus> problems = new ArrayList<>();

  @JsonPropertyDescription("Since when the selected clusters have run more than one revision (RFC 3339); absent while they run one.")
  public String divergedSince;

  @JsonPropertyDescription("The staged roll-out of the revision, when spec.rollout is set.")
  public RolloutStatus rollout;

  @JsonPropertyDescription("Each enforcement scope across the clusters: how many warn and deny, and what Gatekeeper's audit reports.")
  public List<EnforcementStatus> enforcement;

  @JsonPropertyDescription("Ready, Reconciling, Stalled and Drifted, following kstatus; RolledOut with spec.rollout.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Summary {
    public Integer total;
    public Integer synced;
    public Integer drifted;
    public Integer applying;
    public Integer failed;
    public Integer unreachable;
    @JsonPropertyDescription("Applied, but the consumer (Ratify) reports that it rejected the configuration.")
    public Integer degraded;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RevisionCount {
    public String revision;
    public Integer clusters;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ClusterStatus {
    @JsonPropertyDescription("MemberCluster name.")
    public String name;

    @JsonPropertyDescription("Synced, Drifted, Applying, Failed or Unreachable.")
    public String state;

    @JsonPropertyDescription("Revision live in the cluster.")
    public String appliedRevision;

    public String message;

    @JsonPropertyDescription("How many objects differ from Git.")
    public Integer driftedObjects;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DriftStatus {
    @JsonPropertyDescription("Kind/namespace/name of the object.")
    public String object;

    @JsonPropertyDescription("Modified, Deleted or Extra.")
    public String change;

    @JsonPropertyDescription("JSON pointers of the fields that differ.")
    public List<String> fields = new ArrayList<>();

    public String detectedAt;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RolloutStatus {
    @JsonPropertyDescription("The revision rolling out.")
    public String revision;

    @JsonPropertyDescription("The revision the fleet ran before; clusters of stages not reached yet keep it.")
    public String previousRevision;

    @JsonPropertyDescription("RollingOut, RolledOut or Halted.")
    public String state;

    public String message;

    @JsonPropertyDescription("When the roll-out of this revision halted; `trustsync rollout resume` continues it.")
    public String haltedAt;

    @JsonPropertyDescription("When the next stage may start, while one soaks.")
    public String nextCheck;

    public List<StageStatus> stages = new ArrayList<>();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class StageStatus {
    public String name;

    @JsonPropertyDescription("Clusters in the stage.")
    public Integer clusters;

    @JsonPropertyDescription("Of which Synced on the revision.")
    public Integer synced;

    @JsonPropertyDescription("Pending, WaitingForApproval, Progressing, Soaking, Done, Halted or RolledBack.")
    public String state;

    @JsonPropertyDescription("What the stage waits for.")
    public String waitingFor;

    @JsonPropertyDescription("When every cluster of the stage was Synced on the revision.")
    public String doneAt;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class EnforcementStatus {
    public String scope;

    @JsonPropertyDescription("Clusters whose Constraint warns.")
    public Integer warn;

    @JsonPropertyDescription("Clusters whose Constraint denies.")
    public Integer deny;

    @JsonPropertyDescription("Clusters whose Constraint only audits (dryrun).")
    public Integer dryrun;

    @JsonPropertyDescription("Violations in the latest audit of every cluster, added up.")
    public Long violations;

    @JsonPropertyDescription("What the flip to deny waits for, cluster by cluster.")
    public String waitingFor;

    @JsonPropertyDescription("The images and namespaces the audits report (at most 50): the report to clear before deny.")
    public List<Violation> offenders = new ArrayList<>();
  }

  /** One violation of Gatekeeper's audit, as in the Constraint's status.violations. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Violation {
    @JsonPropertyDescription("The member cluster (in the distribution's status).")
    public String cluster;

    public String namespace;

    public String kind;

    public String name;

    @JsonPropertyDescription("The image Ratify rejected, read from the message.")
    public String image;

    public String message;
  }
}
