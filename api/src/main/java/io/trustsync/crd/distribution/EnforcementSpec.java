package io.trustsync.crd.distribution;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * The admission controller's enforcement switch, managed with the trust configuration: for Ratify
 * v1 on Gatekeeper, one verification Constraint per scope, moved from warn to deny once warned
 * long enough and Gatekeeper's audit is clean (docs/rollout.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EnforcementSpec {
  @Required
  @JsonPropertyDescription("Namespace scopes, each its own Constraint. A namespace matched by two scopes is checked by both.")
  public List<Scope> scopes = new ArrayList<>();

  @Pattern(DURATION)
  @JsonPropertyDescription("How long a scope warns before it may deny, counted per cluster from when its Constraint first warned"
      + " there, e.g. 14d or 336h. A stage's warnFor and a scope's own take precedence (the scope's first). Default: 14d.")
  public String warnFor;

  @Pattern(DURATION)
  @JsonPropertyDescription("How long Gatekeeper's audit must have reported no violation of a scope's Constraint before it denies,"
      + " e.g. 24h. Default: 24h.")
  public String cleanFor;

  /** A Go duration, with days (d) allowed. */
  public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$";

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Scope {
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$")
    @JsonPropertyDescription("Name of the scope (lowercase letters, digits, '-'; at most 32): the Constraint is"
        + " trustsync-<distribution>-<scope>-<hash of namespace, distribution and scope>.")
    public String name;

    @JsonPropertyDescription("Namespaces whose Pods the Constraint checks, by their labels. Empty: every namespace.")
    public LabelSelector namespaceSelector;

    @JsonPropertyDescription("Namespaces never checked, e.g. kube-system (Gatekeeper's excludedNamespaces; prefix* allowed).")
    public List<String> excludedNamespaces;

    @Pattern(DURATION)
    @JsonPropertyDescription("This scope's warnFor, over the stage's and the distribution's.")
    public String warnFor;

    @Pattern("^(progressive|warn|deny|dryrun)$")
    @JsonPropertyDescription("progressive (default): warn, then deny once warnFor passed and the audit is clean for cleanFor."
        + " warn, deny or dryrun pin the Constraint's enforcementAction.")
    public String action;
  }
}
