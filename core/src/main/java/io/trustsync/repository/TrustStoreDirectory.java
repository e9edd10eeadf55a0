package io.trustsync.repository;

import java.util.List;

/**
 * One named trust store folder, {@code truststore/x509/<type>/<name>/}, either shared by all
 * environments ({@code environment == null}) or local to one environment.
 */
public record TrustStoreDirectory(StoreType type, String name, String path, String environment, List<RepoFile> files) {
  /** The reference a trust policy uses for this store, e.g. {@code ca:GlobalSign}. */
  public String reference() {
    return type.spelling() + ":" + name;
  }

  public boolean shared() {
    return environment == null;
  }
}
