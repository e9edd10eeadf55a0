package io.trustsync.crd.truststore;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

@JsonPropertyOrder({"environment", "type", "storeName", "certificates"})
public class TrustStoreSpec {
  @Required
  @JsonPropertyDescription("Environment of the policy repository this store was rendered for (environments/<environment>/).")
  public String environment;

  @Required
  @Pattern("^(ca|signingAuthority|tsa)$")
  @JsonPropertyDescription("Notation trust store type: ca, signingAuthority or tsa.")
  public String type;

  @Required
  @Pattern("^[a-zA-Z0-9_.-]+$")
  @JsonPropertyDescription("Notation trust store name, as trust policies reference it (<type>:<storeName>).")
  public String storeName;

  @Required
  @JsonPropertyDescription("The trusted certificates, in repository file order.")
  public List<TrustedCertificateEntry> certificates;
}
