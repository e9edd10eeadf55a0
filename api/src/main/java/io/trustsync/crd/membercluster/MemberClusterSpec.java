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

  @JsonPropertyDescription("API server URL (https://HOST[:PORT]) for the keyless mode serviceAccountToken; a kubeconfig names its own.")
  public String server;

  @JsonPropertyDescription("PEM certificate(s) the API server's certificate must chain to, for serviceAccountToken. Required with it.")
  public String certificateAuthority;

  @JsonPropertyDescription("Keyless access with no Secret: the operator presents a short-lived token of a hub ServiceAccount in this"
      + " namespace, requested for the audience 'trustsync:' + server; the member's API server trusts the hub's service-account"
      + " issuer (structured authentication configuration, docs/keyless.md). Needs the operator flag --allow-service-account-token-members.")
  public ServiceAccountToken serviceAccountToken;

  @JsonPropertyDescription("Keyless access to an AKS cluster with the operator's workload identity: the API server and CA from"
      + " listClusterUserCredential, an Entra ID token for the AKS server application. Honoured in platform namespaces only,"
      + " with the operator flag --azure-workload-identity (docs/azure.md). AzureClusterDiscovery sets it.")
  public Azure azure;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Azure {
    @Required
    @JsonPropertyDescription("Resource ID: /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME.")
    public String resourceId;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ServiceAccountToken {
    @JsonPropertyDescription("ServiceAccount in the MemberCluster's namespace whose token is presented. Default: trustsync-member.")
    public String serviceAccountName;

    @JsonPropertyDescription("Lifetime of each token in seconds, 600 to 3600; renewed when two thirds of it have passed. Default: 600.")
    public Long expirationSeconds;
  }

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
