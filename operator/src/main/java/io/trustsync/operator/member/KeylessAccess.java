package io.trustsync.operator.member;

/**
 * Which keyless member modes the administrator turned on; all off by default, since each lets a
 * MemberCluster make the operator present an identity it did not bring itself.
 *
 * @param serviceAccountTokens MemberClusters may set {@code spec.serviceAccountToken}: the operator
 *     requests tokens of ServiceAccounts in the MemberCluster's own namespace (never another's) for
 *     the audience {@code trustsync:<spec.server>} and presents them to that server.
 */
public record KeylessAccess(boolean serviceAccountTokens) {
  public static final KeylessAccess DEFAULT = new KeylessAccess(false);
}
