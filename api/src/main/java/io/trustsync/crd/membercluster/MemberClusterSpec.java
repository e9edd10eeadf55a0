package io.trustsync.crd.membercluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberClusterSpec {
  @JsonPropertyDescription("Secret holding a kubeconfig for the cluster; re-read whenever the Secret changes. Omit when hub is true.")
  public KubeconfigSecretReference kubeconfigSecretRef;

  @JsonPropertyDescription("The cluster is the hub itself (the operator's own cluster and credentials).")
  public Boolean hub;

  @JsonPropertyDescription("How often to probe the cluster's health. Default: 30s.")
  public String probeInterval;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class KubeconfigSecretReference {
    @Required
    @JsonPropertyDescription("Name of a Secret in the MemberCluster's namespace.")
    public String name;

    @JsonPropertyDescription("Key of the kubeconfig in the Secret. Default: kubeconfig.")
    public String key;

    @JsonPropertyDescription("kubeconfig context to use. Default: the current context.")
    public String context;
  }
}
