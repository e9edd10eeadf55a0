package io.trustsync.validation;

import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.truststore.LoadedTrustStore;
import java.util.List;

/**
 * An environment that passed validation: its trust policy and the trust stores that policy
 * references (shared or local), in the order the policy first names them. Stores no statement
 * references are not rendered: they cannot affect verification, and a cluster should hold only
 * the roots it trusts. {@code expectedSigners} is what its {@code expected-signers.yaml} expects of
 * the signers of its repositories, for the signer audit ({@link ExpectedSigners#NONE} without the
 * file); it is never rendered.
 */
public record AcceptedEnvironment(String name, TrustPolicyDocument policy, List<LoadedTrustStore> stores, ExpectedSigners expectedSigners) {
  public AcceptedEnvironment {
    stores = List.copyOf(stores);
    expectedSigners = expectedSigners == null ? ExpectedSigners.NONE : expectedSigners;
  }

  /** Without expected signers. */
  public AcceptedEnvironment(String name, TrustPolicyDocument policy, List<LoadedTrustStore> stores) {
    this(name, policy, stores, ExpectedSigners.NONE);
  }
}
