package io.trustsync.repository;

import io.trustsync.validation.Finding;
import java.util.List;

/**
 * A policy repository as read from disk: shared stores, environments, and the layout problems met
 * while reading it (symlinks, oversized files, unknown store types...). Paths are relative to the
 * repository root. Reading never follows a symlink and never leaves the root.
 */
public record PolicyRepository(
    String root, List<TrustStoreDirectory> sharedStores, List<EnvironmentDirectory> environments, List<Finding> layoutFindings) {

  public EnvironmentDirectory environment(String name) {
    return environments.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
  }
}
