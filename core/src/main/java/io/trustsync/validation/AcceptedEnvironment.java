package io.trustsync.validation;

import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.truststore.LoadedTrustStore;
import java.util.List;

/**
 * An environment that passed validation: its trust policy and the trust stores that policy
 * references (shared or local), in the order the policy first names them. Stores no statement
 * references are not rendered: they cannot affect verification, and a cluster should hold only
 * the roots it trusts.
 */
public record AcceptedEnvironment(String name, TrustPolicyDocument policy, List<LoadedTrustStore> stores) {
  public AcceptedEnvironment {
    stores = List.copyOf(stores);
  }
}
