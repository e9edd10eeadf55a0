package io.trustsync.crd.azure;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AzureClusterDiscoveryStatus {
  public Long observedGeneration;

  @JsonPropertyDescription("When the clusters were last listed completely, RFC 3339.")
  public String lastSyncTime;

  @JsonPropertyDescription("Clusters found that match, with the MemberCluster each is kept as.")
  public List<FoundCluster> clusters = new ArrayList<>();

  @JsonPropertyDescription("Clusters found that are not registered, and why.")
  public List<SkippedCluster> skipped = new ArrayList<>();

  @JsonPropertyDescription("Number of MemberClusters kept.")
  public Integer registered;

  @JsonPropertyDescription("Number of clusters skipped.")
  public Integer skippedCount;

  @JsonPropertyDescription("Clusters found whose tags do not match spec.tags.")
  public Integer unmatched;

  public List<Condition> conditions = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class FoundCluster {
    @JsonPropertyDescription("Azure resource ID of the managed cluster.")
    public String resourceId;

    public String location;

    public String kubernetesVersion;

    public String provisioningState;

    @JsonPropertyDescription("Name of the MemberCluster in this namespace.")
    public String member;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SkippedCluster {
    public String resourceId;

    public String reason;
  }
}
