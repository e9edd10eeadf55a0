package io.trustsync.rendering;

import java.util.List;

/**
 * A kind some profile renders, described fully (plural, scope) so no API discovery is needed and
 * a missing CRD is a plain 404. {@link #ALL} is what pruning and {@code trustsync diff} look at,
 * so switching profile cleans up after the old one.
 */
public record RenderedKind(String apiVersion, String kind, String plural, boolean namespaced) {

  public static final RenderedKind TRUST_STORE = new RenderedKind("trustsync.io/v1alpha1", "TrustStore", "truststores", true);
  public static final RenderedKind TRUST_POLICY = new RenderedKind("trustsync.io/v1alpha1", "TrustPolicy", "trustpolicies", true);

  /**
   * Gatekeeper's Constraint of Ratify v1's ConstraintTemplate: the enforcement switch
   * (spec.enforcement). Gatekeeper names a Constraint CRD's plural as the lowercased kind, not a
   * plural: {@code ratifyverification.constraints.gatekeeper.sh}.
   */
  public static final RenderedKind RATIFY_VERIFICATION =
      new RenderedKind("constraints.gatekeeper.sh/v1beta1", "RatifyVerification", "ratifyverification", false);

  public static final List<RenderedKind> ALL = List.of(
      TRUST_STORE,
      TRUST_POLICY,
      new RenderedKind("config.ratify.deislabs.io/v1beta1", "NamespacedKeyManagementProvider", "namespacedkeymanagementproviders", true),
      new RenderedKind("config.ratify.deislabs.io/v1beta1", "NamespacedVerifier", "namespacedverifiers", true),
      new RenderedKind("config.ratify.deislabs.io/v1beta1", "KeyManagementProvider", "keymanagementproviders", false),
      new RenderedKind("config.ratify.deislabs.io/v1beta1", "Verifier", "verifiers", false),
      new RenderedKind("config.ratify.sh/v2beta1", "NamespacedExecutor", "namespacedexecutors", true),
      new RenderedKind("config.ratify.sh/v2beta1", "Executor", "executors", false),
      new RenderedKind("v1", "Secret", "secrets", true),
      new RenderedKind("v1", "ConfigMap", "configmaps", true),
      RATIFY_VERIFICATION);

  /**
   * Kinds also rendered, at another version of the same resource: the API server serves the same
   * objects at both, so {@link #ALL} lists each resource once and pruning never sees one twice.
   */
  public static final List<RenderedKind> OTHER_VERSIONS = List.of(
      new RenderedKind("config.ratify.sh/v2alpha1", "NamespacedExecutor", "namespacedexecutors", true),
      new RenderedKind("config.ratify.sh/v2alpha1", "Executor", "executors", false));

  public static RenderedKind of(String apiVersion, String kind) {
    return java.util.stream.Stream.concat(ALL.stream(), OTHER_VERSIONS.stream())
        .filter(k -> k.apiVersion().equals(apiVersion) && k.kind().equals(kind)).findFirst()
        .orElseThrow(() -> new IllegalStateException("TrustSync does not render " + apiVersion + " " + kind));
  }

  /** The API group; "" for the core group ({@code v1}). */
  public String group() {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  public String version() {
    return apiVersion.substring(apiVersion.indexOf('/') + 1);
  }
}
