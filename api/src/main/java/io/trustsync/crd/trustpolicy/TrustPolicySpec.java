package io.trustsync.crd.trustpolicy;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;
import java.util.List;

@JsonPropertyOrder({"environment", "source", "version", "trustPolicies"})
public class TrustPolicySpec {
  @Required
  @JsonPropertyDescription("Environment of the policy repository this policy was rendered for.")
  public String environment;

  @JsonPropertyDescription("Repository path of the trust policy file it was rendered from.")
  public String source;

  @Required
  @JsonPropertyDescription("Trust policy document version; Notation supports \"1.0\".")
  public String version;

  @Required
  @JsonPropertyDescription("Trust policy statements, in document order.")
  public List<TrustPolicyStatementSpec> trustPolicies;
}
