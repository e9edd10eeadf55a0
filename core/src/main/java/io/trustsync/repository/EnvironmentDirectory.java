package io.trustsync.repository;

import java.util.List;

/**
 * {@code environments/<name>/}: a Notation configuration directory. {@code trustPolicy} is the
 * file notation would load (trustpolicy.oci.json wins over trustpolicy.json), null when neither
 * exists; {@code shadowedPolicy} is a trustpolicy.json ignored because both exist.
 * {@code expectedSigners} is {@code expected-signers.yaml} (optional, null when absent): which
 * identities the signer audit expects for which repositories. Like the signers, it never reaches
 * a cluster.
 */
public record EnvironmentDirectory(
    String name, String path, RepoFile trustPolicy, RepoFile shadowedPolicy, List<TrustStoreDirectory> stores, List<RepoFile> signers,
    RepoFile expectedSigners) {

  /** Without an expected-signers file. */
  public EnvironmentDirectory(
      String name, String path, RepoFile trustPolicy, RepoFile shadowedPolicy, List<TrustStoreDirectory> stores, List<RepoFile> signers) {
    this(name, path, trustPolicy, shadowedPolicy, stores, signers, null);
  }
}
