package io.trustsync.truststore;

import io.trustsync.repository.TrustStoreDirectory;
import io.trustsync.validation.Finding;
import io.trustsync.validation.ValidationOptions;
import java.util.List;

/** STUB replaced by the store-rules branch. */
public final class TrustStoreValidator {
  public record Result(List<Finding> findings, LoadedTrustStore store) {}

  public static Result validate(TrustStoreDirectory store, ValidationOptions options) {
    throw new UnsupportedOperationException("stub");
  }
}
