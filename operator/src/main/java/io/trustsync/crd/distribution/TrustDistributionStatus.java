package io.trustsync.crd.distribution;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustDistributionStatus {
  public Long observedGeneration;

  @JsonPropertyDescription("Revision of the source being distributed.")
  public String revision;

  @JsonPropertyDescription("Synced clusters out of selected clusters, e.g. 3/3.")
  public String syncedClusters;

  @JsonPropertyDescription("Counts of selected clusters by state.")
  public Summary summary;

  @JsonPropertyDescription("One entry per selected cluster.")
  public List<ClusterStatus> clusters = new ArrayList<>();

  @JsonPropertyDescription("Ready, Reconciling, Stalled and Drifted, following kstatus.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Summary {
    public Integer total;
    public Integer synced;
    public Integer drifted;
    public Integer applying;
    public Integer failed;
    public Integer unreachable;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ClusterStatus {
    @JsonPropertyDescription("MemberCluster name.")
    public String name;

    @JsonPropertyDescription("Synced, Drifted, Applying, Failed or Unreachable.")
    public String state;

    @JsonPropertyDescription("Revision live in the cluster.")
    public String appliedRevision;

    @JsonPropertyDescription("Namespace the objects were applied to; when targetNamespace changes, what is here is removed.")
    public String namespace;

    @JsonPropertyDescription("Last time the cluster was fully in sync, RFC 3339.")
    public String lastSyncTime;

    public String message;

    @JsonPropertyDescription("Objects that differ from Git (at most 20).")
    public List<DriftStatus> drift = new ArrayList<>();
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
}
