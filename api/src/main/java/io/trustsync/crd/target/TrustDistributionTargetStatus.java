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
}
