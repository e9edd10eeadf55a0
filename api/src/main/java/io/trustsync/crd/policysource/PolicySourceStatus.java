package io.trustsync.crd.policysource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicySourceStatus {
  @JsonPropertyDescription("Generation of the spec this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("The trustsync.io/reconcile-requested-at annotation value of the last request handled (a fetch"
      + " queued after it finished); `trustsync reconcile source` waits for it.")
  public String lastHandledReconcileAt;

  @JsonPropertyDescription("Commit most recently fetched, accepted or not.")
  public String fetchedRevision;

  @JsonPropertyDescription("When it was fetched, RFC 3339.")
  public String fetchedAt;

  @JsonPropertyDescription("Commit that passed validation most recently; this is what distributions apply.")
  public String lastAcceptedRevision;

  @JsonPropertyDescription("When that commit was accepted, RFC 3339.")
  public String lastAcceptedAt;

  @JsonPropertyDescription("Commit time of the accepted revision, RFC 3339 (the start of propagation latency).")
  public String lastAcceptedCommitTime;

  @JsonPropertyDescription("Digest (sha256) of the accepted revision's validated files. After a restart the operator serves"
      + " lastAcceptedRevision from its local cache only if the files there still have this digest and still validate.")
  public String lastAcceptedDigest;

  @JsonPropertyDescription("The revisions accepted before lastAcceptedRevision, newest first (at most 3), with their digests: the"
      + " stages of a roll-out not reached yet still run them, and a rollback or abort returns to them, so a restarted operator"
      + " loads them too, with the same checks as lastAcceptedRevision.")
  public java.util.List<AcceptedRevisionRecord> previousAcceptedRevisions;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class AcceptedRevisionRecord {
    public String revision;

    @JsonPropertyDescription("Digest (sha256) of the revision's validated files.")
    public String digest;

    public AcceptedRevisionRecord() {}

    public AcceptedRevisionRecord(String revision, String digest) {
      this.revision = revision;
      this.digest = digest;
    }
  }

  @JsonPropertyDescription("The newest accepted revision: every later revision must descend from it, so a force-push back to an older commit is never accepted (see spec.rollbackTo).")
  public HighWaterMark highWaterMark;

  @JsonPropertyDescription("Validation of the fetched revision.")
  public ValidationSummary validation;

  @JsonPropertyDescription("Signature verification of the fetched revision, when enabled.")
  public SignatureStatus signature;

  @JsonPropertyDescription("Ready, Reconciling and Stalled, following kstatus; Stale when maxRevisionAge is set; RolledBack while spec.rollbackTo is in effect.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ValidationSummary {
    public String revision;
    public Long errors;
    public Long warnings;

    @JsonPropertyDescription("The findings (at most 100), errors first.")
    public List<FindingStatus> findings = new ArrayList<>();

    @JsonPropertyDescription("True when findings were cut to 100.")
    public Boolean truncated;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class FindingStatus {
    public String ruleId;
    public String severity;
    public String file;
    public String pointer;
    public Integer line;
    public Integer column;
    public String message;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HighWaterMark {
    @JsonPropertyDescription("Commit id.")
    public String revision;

    @JsonPropertyDescription("Its committer time, RFC 3339 (what maxRevisionAge is measured from).")
    public String commitTime;

    @JsonPropertyDescription("Fingerprint of the key that signed it, when signatures are verified; else the author.")
    public String signer;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SignatureStatus {
    public String revision;
    public Boolean trusted;
    public String type;
    public String key;
    public String reason;
  }
}
