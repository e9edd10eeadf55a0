package io.trustsync.repository;

import io.trustsync.findings.Finding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * A policy repository as read from disk: shared stores, environments, and the layout problems met
 * while reading it (symlinks, oversized files, unknown store types...). Paths are relative to the
 * repository root. Reading never follows a symlink and never leaves the root. Signer certificates
 * ({@code signers/}, optional) are checked against the policy but never reach a cluster, so the
 * digest leaves them out.
 */
public record PolicyRepository(
    String root, List<TrustStoreDirectory> sharedStores, List<EnvironmentDirectory> environments, List<Finding> layoutFindings,
    List<RepoFile> sharedSigners, io.trustsync.findings.GateConfig gateConfig) {

  public PolicyRepository {
    gateConfig = gateConfig == null ? io.trustsync.findings.GateConfig.NONE : gateConfig;
  }

  /** Without signers or a gate configuration. */
  public PolicyRepository(String root, List<TrustStoreDirectory> sharedStores, List<EnvironmentDirectory> environments, List<Finding> layoutFindings) {
    this(root, sharedStores, environments, layoutFindings, List.of(), io.trustsync.findings.GateConfig.NONE);
  }

  public EnvironmentDirectory environment(String name) {
    return environments.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
  }

  /**
   * The digest of what was read: every file that can reach a cluster (trust policies, shadowed
   * policies, store files), by path. Two reads of the same content give the same digest; it is
   * what a PolicySource's status records as the validated snapshot.
   */
  public String digest() {
    TreeMap<String, byte[]> files = new TreeMap<>();
    sharedStores.forEach(store -> store.files().forEach(f -> files.put(f.path(), f.content())));
    for (EnvironmentDirectory environment : environments) {
      if (environment.trustPolicy() != null) {
        files.put(environment.trustPolicy().path(), environment.trustPolicy().content());
      }
      if (environment.shadowedPolicy() != null) {
        files.put(environment.shadowedPolicy().path(), environment.shadowedPolicy().content());
      }
      environment.stores().forEach(store -> store.files().forEach(f -> files.put(f.path(), f.content())));
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      files.forEach((path, content) -> {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(16).putLong(name.length).putLong(content.length).array());
        sha.update(name);
        sha.update(content);
      });
      return "sha256:" + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
