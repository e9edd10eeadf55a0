package io.trustsync.trustpolicy;

import io.trustsync.repository.RepoFile;
import io.trustsync.validation.Finding;
import java.util.List;

/** STUB replaced by the policy-rules branch. */
public final class TrustPolicyValidator {
  public record Result(List<Finding> findings, TrustPolicyDocument document) {}

  public static Result validate(RepoFile file) {
    throw new UnsupportedOperationException("stub");
  }
}
