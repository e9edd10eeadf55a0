package io.trustsync.crd.membercluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberClusterStatus {
  public Long observedGeneration;

  @JsonPropertyDescription("Whether the last probe reached the API server.")
  public Boolean reachable;

  @JsonPropertyDescription("Kubernetes version the API server reports, e.g. v1.34.4.")
  public String serverVersion;

  @JsonPropertyDescription("Last successful contact, RFC 3339.")
  public String lastContact;

  @JsonPropertyDescription("Why the cluster is not reachable, when it is not.")
  public String message;

  public List<Condition> conditions = new ArrayList<>();
}
