package io.trustsync.truststore;

import io.trustsync.repository.TrustStoreDirectory;
import java.util.List;

/** A trust store folder with the certificates that could be parsed from it, in file order. */
public record LoadedTrustStore(TrustStoreDirectory directory, List<TrustedCertificate> certificates) {
  public String reference() {
    return directory.reference();
  }
}
