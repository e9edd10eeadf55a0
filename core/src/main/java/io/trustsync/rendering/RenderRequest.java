package io.trustsync.rendering;

import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.truststore.LoadedTrustStore;
import java.util.List;
import java.util.Map;

/**
 * What one rendering needs: an accepted environment (its trust policy and the stores that policy
 * references), the revision it came from, the target namespace (null: cluster default / cluster
 * scope), extra ownership labels the caller wants on every object, and the profile's options.
 */
public record RenderRequest(
    String environment,
    TrustPolicyDocument policy,
    List<LoadedTrustStore> stores,
    String revision,
    String namespace,
    Map<String, String> extraLabels,
    ProfileOptions options) {

  public RenderRequest {
    stores = List.copyOf(stores);
    extraLabels = Map.copyOf(extraLabels == null ? Map.of() : extraLabels);
    options = options == null ? ProfileOptions.DEFAULTS : options;
  }

  /** With the default profile options. */
  public RenderRequest(String environment, TrustPolicyDocument policy, List<LoadedTrustStore> stores, String revision, String namespace,
      Map<String, String> extraLabels) {
    this(environment, policy, stores, revision, namespace, extraLabels, ProfileOptions.DEFAULTS);
  }
}
