package io.trustsync.crd.trustpolicy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;
import java.util.List;

@JsonPropertyOrder({"name", "registryScopes", "signatureVerification", "trustStores", "trustedIdentities"})
public class TrustPolicyStatementSpec {
  @Required
  @JsonPropertyDescription("Statement name, unique in the document.")
  public String name;

  @Required
  @JsonPropertyDescription("Repositories (domain/repository) this statement applies to, or \"*\".")
  public List<String> registryScopes;

  @Required
  @JsonPropertyDescription("Verification level and its overrides.")
  public SignatureVerificationSpec signatureVerification;

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyDescription("Trust stores as <type>:<name>; each is a TrustStore in this namespace.")
  public List<String> trustStores;

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyDescription("Trusted identities: \"*\" or x509.subject:<distinguished name>.")
  public List<String> trustedIdentities;
}
