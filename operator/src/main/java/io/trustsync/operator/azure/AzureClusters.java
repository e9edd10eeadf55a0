package io.trustsync.operator.azure;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the operator asks of Azure: the managed clusters of a subscription, a cluster's user
 * credential (only its API server address and CA are used), and an Entra ID token for the AKS
 * server application. Never an admin credential.
 */
public interface AzureClusters extends AutoCloseable {
  /** The AKS AAD server application every AKS cluster with Entra ID integration accepts tokens for. */
  String AKS_SERVER_APPLICATION = "6dae42f8-4368-4678-94ff-3960e28e3630";
  String AKS_SCOPE = AKS_SERVER_APPLICATION + "/.default";

  /** A managed cluster as listed. */
  record ManagedCluster(String resourceId, String name, String location, Map<String, String> tags, String kubernetesVersion,
      String provisioningState, boolean entraIntegration, boolean localAccountsDisabled) {}

  /** The API server address and CA from the user credential's kubeconfig. */
  record Endpoint(String server, String certificateAuthorityPem) {}

  /** A bearer token and when it expires. */
  record Token(String token, Instant expiresAt) {}

  /** Every managed cluster of the subscription, or of these resource groups of it (all pages). */
  List<ManagedCluster> list(String subscription, List<String> resourceGroups) throws AzureException;

  /** listClusterUserCredential: where the cluster's API server is and whom its certificate chains to. */
  Endpoint endpoint(String resourceId) throws AzureException;

  /** The scope of Entra tokens Azure Container Registry exchanges for its own refresh tokens. */
  String ACR_SCOPE = "https://containerregistry.azure.net/.default";

  /** A token for {@link #AKS_SCOPE}, from the operator's workload identity. */
  Token aksToken() throws AzureException;

  /** A token for {@code scope} (e.g. {@link #ACR_SCOPE}), from the operator's workload identity. */
  default Token token(String scope) throws AzureException {
    throw new AzureException("this Azure client issues no token for " + scope, false, true);
  }

  /** The Entra tenant of the operator's identity. */
  default String tenantId() {
    return null;
  }

  @Override
  void close();

  /** An Azure call failed; the message is for a status condition, {@link #notFound} tells a missing resource. */
  final class AzureException extends Exception {
    private final boolean notFound;
    private final boolean authentication;

    public AzureException(String message, boolean notFound, boolean authentication) {
      super(message);
      this.notFound = notFound;
      this.authentication = authentication;
    }

    public boolean notFound() {
      return notFound;
    }

    /** The operator's identity could not get a token (token endpoint down, federation refused). */
    public boolean authentication() {
      return authentication;
    }
  }
}
