package io.trustsync.crd.distribution;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.Objects;

/** Options of the ratify-v2 profile (ignored by the others). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RatifyOptions {
  @Pattern("^config\\.ratify\\.sh/(v2beta1|v2alpha1)$")
  @JsonPropertyDescription("API version of the rendered Executors: config.ratify.sh/v2beta1 (Ratify v2's storage version) or the deprecated "
      + "config.ratify.sh/v2alpha1 for clusters on older Ratify. Default: config.ratify.sh/v2beta1.")
  public String apiVersion;

  @JsonPropertyDescription("The credential provider of the Executors' registry store. Default: static without credentials (anonymous pull).")
  public RegistryCredential registryCredential;

  /** Ratify v2's registry credential providers, with their non-secret options only. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RegistryCredential {
    @Pattern("^(static|azure|aws)$")
    @JsonPropertyDescription("static (anonymous: TrustSync never writes a password into an Executor), azure (workload identity) or aws.")
    public String provider;

    @JsonPropertyDescription("azure: the workload identity's client ID. Optional.")
    public String clientID;

    @JsonPropertyDescription("azure: the tenant ID. Optional.")
    public String tenantID;

    @JsonPropertyDescription("aws: the registry's region. Optional.")
    public String region;

    @Override
    public boolean equals(Object o) {
      return o instanceof RegistryCredential c && Objects.equals(provider, c.provider) && Objects.equals(clientID, c.clientID)
          && Objects.equals(tenantID, c.tenantID) && Objects.equals(region, c.region);
    }

    @Override
    public int hashCode() {
      return Objects.hash(provider, clientID, tenantID, region);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RatifyOptions r && Objects.equals(apiVersion, r.apiVersion) && Objects.equals(registryCredential, r.registryCredential);
  }

  @Override
  public int hashCode() {
    return Objects.hash(apiVersion, registryCredential);
  }
}
