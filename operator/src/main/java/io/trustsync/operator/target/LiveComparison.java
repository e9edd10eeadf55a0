package io.trustsync.operator.target;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustsync.status.Differences;
import io.trustsync.rendering.RenderedObject;
import java.util.List;
import java.util.Map;

/**
 * Whether a live object is what TrustSync applied, without remembering what it applied: every
 * field of the rendering must be live with the same value, and a field the rendering lacks counts
 * only when someone else wrote it (a {@code managedFields} entry of another manager holds it).
 * Fields the API server defaulted belong to nobody, so they are not drift.
 */
final class LiveComparison {
  static final String FIELD_MANAGER = "trustsync";
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private LiveComparison() {}

  /** The JSON pointers of the fields that differ; empty when the live object is as rendered. */
  static List<String> differences(RenderedObject desired, GenericKubernetesResource live) {
    JsonNode liveJson = JSON.valueToTree(live);
    List<String> fields = Differences.between(desired.manifest(), null, liveJson);
    fields.removeIf(pointer -> desired.manifest().at(pointer).isMissingNode() && !writtenByAnotherManager(live, pointer));
    return fields;
  }

  private static boolean writtenByAnotherManager(GenericKubernetesResource live, String pointer) {
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    if (entries == null) {
      return true; // nothing to tell: take the change as drift
    }
    String[] parts = pointer.substring(1).split("/");
    for (ManagedFieldsEntry entry : entries) {
      if (FIELD_MANAGER.equals(entry.getManager()) || entry.getFieldsV1() == null) {
        continue;
      }
      JsonNode node = JSON.valueToTree(entry.getFieldsV1().getAdditionalProperties());
      if (owns(node, parts, 0)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the fieldsV1 tree holds the path, or a part of what lies under it. */
  private static boolean owns(JsonNode node, String[] parts, int index) {
    if (index == parts.length) {
      return true;
    }
    String part = parts[index].replace("~1", "/").replace("~0", "~");
    JsonNode child = node.get("f:" + part);
    if (child != null) {
      return owns(child, parts, index + 1);
    }
    // list elements are keyed (k:, v:, i:) in fieldsV1: owning any element of the list is owning into it
    if (part.matches("[0-9]+")) {
      for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
        if (!field.getKey().startsWith("f:") && !field.getKey().equals(".")) {
          return true;
        }
      }
    }
    return false;
  }
}
