package io.trustsync.crd.azure;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AzureClusterDiscoverySpec {
  @Required
  @JsonPropertyDescription("Subscription IDs to list managed clusters (Microsoft.ContainerService/managedClusters) in.")
  public List<String> subscriptions;

  @JsonPropertyDescription("Only these resource groups (in every subscription listed). Default: the whole subscription.")
  public List<String> resourceGroups;

  @JsonPropertyDescription("Azure tags a cluster must carry, all of them, with these values (e.g. environment: production).")
  public Map<String, String> tags;

  @JsonPropertyDescription("How often to list the clusters again. Default: 5m; at least 1m.")
  public String interval;

  @JsonPropertyDescription("Labels put on every MemberCluster this discovery keeps, besides region, the cluster's tags and its version.")
  public Map<String, String> memberLabels;

  @JsonPropertyDescription("probeInterval of the MemberClusters. Default: 30s.")
  public String probeInterval;

  @JsonPropertyDescription("What happens to the MemberCluster of a cluster no longer found: Delete (the default) or Keep"
      + " (it stays, annotated trustsync.io/discovery-lost with the time it disappeared).")
  public String onClusterRemoved;
}
