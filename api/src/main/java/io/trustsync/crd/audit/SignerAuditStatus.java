package io.trustsync.crd.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class SignerAuditStatus {
  public Long observedGeneration;

  @JsonPropertyDescription("The accepted revision of the source the last audit judged with.")
  public String revision;

  @JsonPropertyDescription("When the last audit finished, RFC 3339.")
  public String lastAuditTime;

  public Summary summary;

  @JsonPropertyDescription("Each repository: images, signers, and what is wrong.")
  public List<RepositoryStatus> repositories = new ArrayList<>();

  @JsonPropertyDescription("Images signed by someone expected-signers.yaml does not expect for their repository (at most 50).")
  public List<UnexpectedSigner> unexpected = new ArrayList<>();

  @JsonPropertyDescription("Ready (the last audit ran), Stalled (the spec cannot be audited) and UnexpectedSigners.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Summary {
    public Integer images;
    public Integer passing;
    public Integer failing;
    public Integer unsigned;
    public Integer unexpectedSigners;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RepositoryStatus {
    public String repository;
    public Integer images;
    public Integer unsigned;
    public Integer failing;
    public Integer unexpectedSigners;

    @JsonPropertyDescription("Verified signers and how many of the repository's images each signed (at most 20).")
    public List<SignerCount> signers = new ArrayList<>();

    @JsonPropertyDescription("Why the repository could not be read, when it could not.")
    public String problem;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SignerCount {
    public String signer;
    public Integer images;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class UnexpectedSigner {
    public String image;
    public String repository;
    public String signer;
  }
}
