package io.trustsync.repository;

import java.util.List;

/**
 * {@code environments/<name>/}: a Notation configuration directory. {@code trustPolicy} is the
 * file notation would load (trustpolicy.oci.json wins over trustpolicy.json), null when neither
 * exists; {@code shadowedPolicy} is a trustpolicy.json ignored because both exist.
 */
public record EnvironmentDirectory(
    String name, String path, RepoFile trustPolicy, RepoFile shadowedPolicy, List<TrustStoreDirectory> stores, List<RepoFile> signers) {}
