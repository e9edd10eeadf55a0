package io.trustsync.crd.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class SignerAuditSpec {
  @Required
  @JsonPropertyDescription("The PolicySource (same namespace) whose accepted revision judges the signatures.")
  public SourceReference sourceRef;

  @Required
  @JsonPropertyDescription("The environment of the policy repository: its trust policy, stores and expected-signers.yaml.")
  public String environment;

  @JsonPropertyDescription("registry/repository to audit (every tag), or one image by :tag or @digest. Only registries the"
      + " environment's registry scopes name are contacted. Default: the environment's registry scopes ('*' left out).")
  public List<String> repositories = new ArrayList<>();

  @JsonPropertyDescription("Credentials per registry host: a Secret in this namespace of type kubernetes.io/dockerconfigjson, or with"
      + " keys username and password, or token. Registries not listed are read anonymously.")
  public List<RegistryCredential> credentials = new ArrayList<>();

  @JsonPropertyDescription("PEM CA certificates the registries' TLS certificates chain to, for registries with a private CA"
      + " (default: the JDK's roots).")
  public String certificateAuthority;

  @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$")
  @JsonPropertyDescription("How often to audit (and at once on a new accepted revision or spec), e.g. 1h. Default: 1h; at least 1m.")
  public String interval;

  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Images (tags) read per repository at most. Default: 1000.")
  public Integer maxImagesPerRepository;

  @JsonPropertyDescription("Audit nothing until false.")
  public Boolean suspend;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SourceReference {
    @Required
    public String name;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RegistryCredential {
    @Required
    @JsonPropertyDescription("Registry host (and port), as image references name it, e.g. acme.azurecr.io.")
    public String registry;

    @JsonPropertyDescription("Secret in this namespace with the credentials. Either this or azureWorkloadIdentity.")
    public io.trustsync.crd.SecretReference secretRef;

    @JsonPropertyDescription("Azure Container Registry with the operator's Azure workload identity (--azure-workload-identity): its"
        + " Entra ID token is exchanged for the registry's own (give the identity AcrPull). Honoured in platform namespaces only.")
    public Boolean azureWorkloadIdentity;
  }
}
