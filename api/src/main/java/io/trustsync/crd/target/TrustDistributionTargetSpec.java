package io.trustsync.crd.target;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Written by the operator only, from the owning TrustDistribution and its source's accepted revision. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustDistributionTargetSpec {
  @Required
  @JsonPropertyDescription("The owning TrustDistribution (same namespace).")
  public String distribution;

  @Required
  @JsonPropertyDescription("The MemberCluster (same namespace) this target writes to.")
  public String member;

  @Required
  @JsonPropertyDescription("The PolicySource (same namespace) the revision comes from.")
  public String source;

  @Required
  @JsonPropertyDescription("Accepted source revision this cluster must hold.")
  public String revision;

  @Required
  @JsonPropertyDescription("Environment of the policy repository.")
  public String environment;

  @Required
  @JsonPropertyDescription("Rendering profile: native, ratify-v1, ratify-v2, flux or notation.")
  public String profile;

  @JsonPropertyDescription("Options of the ratify-v2 profile, from the distribution.")
  public io.trustsync.crd.distribution.RatifyOptions ratify;

  @Required
  @JsonPropertyDescription("Namespace in the member cluster.")
  public String targetNamespace;

  @JsonPropertyDescription("Digest of what this cluster gets (the rendered objects, revision aside): equal digests mean nothing to write.")
  public String renderingDigest;

  @JsonPropertyDescription("correct or report.")
  public String driftMode;

  @JsonPropertyDescription("Delete owned objects no longer rendered.")
  public Boolean prune;

  @JsonPropertyDescription("Apply and correct nothing; drift is still reported.")
  public Boolean suspend;

  @JsonPropertyDescription("The admission controller's enforcement switch in this cluster: one Gatekeeper Constraint per scope.")
  public java.util.List<Enforcement> enforcement;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Enforcement {
    @JsonPropertyDescription("The distribution's scope.")
    public String scope;

    @JsonPropertyDescription("Name of the Constraint in the member cluster.")
    public String constraint;

    @JsonPropertyDescription("The Constraint's enforcementAction: warn, deny or dryrun.")
    public String action;

    public io.fabric8.kubernetes.api.model.LabelSelector namespaceSelector;

    public java.util.List<String> excludedNamespaces;

    @Override
    public boolean equals(Object o) {
      return o instanceof Enforcement e && java.util.Objects.equals(scope, e.scope) && java.util.Objects.equals(constraint, e.constraint)
          && java.util.Objects.equals(action, e.action) && java.util.Objects.equals(namespaceSelector, e.namespaceSelector)
          && java.util.Objects.equals(excludedNamespaces, e.excludedNamespaces);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(scope, constraint, action);
    }
  }
}
