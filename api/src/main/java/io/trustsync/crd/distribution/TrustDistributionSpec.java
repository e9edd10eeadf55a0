package io.trustsync.crd.distribution;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustDistributionSpec {
  @Required
  @JsonPropertyDescription("PolicySource in the same namespace whose accepted revision is distributed.")
  public SourceReference sourceRef;

  @Required
  @JsonPropertyDescription("Environment of the policy repository to render (environments/<environment>/).")
  public String environment;

  @JsonPropertyDescription("Which MemberClusters (same namespace) receive it, by their labels. Empty selects all.")
  public LabelSelector clusterSelector;

  @Required
  @JsonPropertyDescription("Namespace the objects are applied to in each member cluster; created when missing. '${cluster}' is replaced by the MemberCluster name.")
  public String targetNamespace;

  @Pattern("^(native|ratify-v1|ratify-v2|flux|notation)$")
  @JsonPropertyDescription("Rendering profile: native (TrustStore/TrustPolicy), ratify-v1, ratify-v2, flux (the Secret of an OCIRepository's notation verification) or notation (ConfigMaps laid out as a Notation configuration directory). Default: native.")
  public String profile;

  @JsonPropertyDescription("Options of the ratify-v2 profile: the Executors' API version and their registry credential provider.")
  public RatifyOptions ratify;

  @Pattern("^(correct|report)$")
  @JsonPropertyDescription("What to do when a live object differs from Git: correct (put it back) or report. Default: correct.")
  public String driftMode;

  @JsonPropertyDescription("Delete owned objects that are no longer rendered. Default: true.")
  public Boolean prune;

  @JsonPropertyDescription("Stop applying and correcting; drift is still reported.")
  public Boolean suspend;

  @JsonPropertyDescription("Stage the roll-out of each new revision across the selected clusters (docs/rollout.md). Default: every"
      + " selected cluster at once.")
  public RolloutSpec rollout;

  @JsonPropertyDescription("Manage the admission controller's enforcement switch (profile ratify-v1: Gatekeeper's verification"
      + " Constraint), from warn to deny once Gatekeeper's audit is clean (docs/rollout.md). Default: not managed.")
  public EnforcementSpec enforcement;

  public static class SourceReference {
    @Required
    @JsonPropertyDescription("PolicySource name.")
    public String name;
  }
}
