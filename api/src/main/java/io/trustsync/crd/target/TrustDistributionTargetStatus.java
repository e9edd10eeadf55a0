package io.trustsync.crd.target;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrustDistributionTargetStatus {
  public Long observedGeneration;

  @JsonPropertyDescription("Synced, Drifted, Applying, Failed or Unreachable.")
  public String state;

  @JsonPropertyDescription("Source revision whose content is live in the cluster.")
  public String appliedRevision;

  @JsonPropertyDescription("Digest of the content live in the cluster (equals spec.renderingDigest when in sync).")
  public String appliedDigest;

  @JsonPropertyDescription("Namespace the inventory's namespaced objects are in.")
  public String appliedNamespace;

  @JsonPropertyDescription("Last time the cluster was fully in sync, RFC 3339.")
  public String lastSyncTime;

  public String message;

  @JsonPropertyDescription("Objects that differ from Git (at most 20).")
  public List<TrustDistributionStatus.DriftStatus> drift = new ArrayList<>();

  @JsonPropertyDescription("Every object TrustSync applied to the cluster for this target: prune and deletion work from it.")
  public List<InventoryEntry> inventory = new ArrayList<>();

  @JsonPropertyDescription("Each enforcement scope's Constraint as live in the cluster, and what Gatekeeper's audit last reported on it.")
  public List<EnforcementStatus> enforcement;

  @JsonPropertyDescription("Ready, Reconciling, Stalled and Drifted, following kstatus.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class InventoryEntry {
    @JsonPropertyDescription("apiVersion, e.g. trustsync.io/v1alpha1.")
    public String apiVersion;

    public String kind;

    public String namespace;

    public String name;

    @JsonPropertyDescription("UID of the object as applied: deletion is conditional on it, so a re-created object of someone else's is never deleted.")
    public String uid;

    public InventoryEntry() {}

    public InventoryEntry(String apiVersion, String kind, String namespace, String name, String uid) {
      this.apiVersion = apiVersion;
      this.kind = kind;
      this.namespace = namespace;
      this.name = name;
      this.uid = uid;
    }

    public String id() {
      return namespace == null ? kind + "/" + name : kind + "/" + namespace + "/" + name;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class EnforcementStatus {
    public String scope;

    public String constraint;

    @JsonPropertyDescription("The enforcementAction applied: warn, deny or dryrun.")
    public String action;

    @JsonPropertyDescription("Digest of what the Constraint matches (namespaces): a change starts the warn period again.")
    public String match;

    @JsonPropertyDescription("Since when the Constraint has had this action and match in the cluster, RFC 3339.")
    public String since;

    @JsonPropertyDescription("Gatekeeper's status.auditTimestamp: the audit the figures below come from.")
    public String auditTimestamp;

    @JsonPropertyDescription("Gatekeeper's status.totalViolations.")
    public Long totalViolations;

    @JsonPropertyDescription("Since when every audit after the action was set reported no violation (the earliest clean audit seen).")
    public String cleanSince;

    @JsonPropertyDescription("The violations the audit listed (at most 20), with the image Ratify rejected where its message names one.")
    public List<TrustDistributionStatus.Violation> violations = new ArrayList<>();
  }
}
