package io.trustsync.operator.member;

import io.trustsync.operator.azure.AzureClusters;

/**
 * Which keyless member modes the administrator turned on; all off by default, since each lets a
 * MemberCluster make the operator present an identity it did not bring itself.
 *
 * @param serviceAccountTokens MemberClusters may set {@code spec.serviceAccountToken}: the operator
 *     requests tokens of ServiceAccounts in the MemberCluster's own namespace (never another's) for
 *     the audience {@code trustsync:<spec.server>} and presents them to that server.
 * @param azure the operator's Azure workload identity, for MemberClusters with {@code spec.azure}
 *     (platform namespaces only) and AzureClusterDiscovery; null: off
 */
public record KeylessAccess(boolean serviceAccountTokens, AzureClusters azure) {
  public static final KeylessAccess DEFAULT = new KeylessAccess(false, null);

  public KeylessAccess(boolean serviceAccountTokens) {
    this(serviceAccountTokens, null);
  }
}
