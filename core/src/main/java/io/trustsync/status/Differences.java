package io.trustsync.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What differs between what TrustSync applied and what is live: the JSON pointers of changed
 * fields. Content fields (everything but apiVersion, kind, metadata, status) must be equal to
 * what the API server stored after our apply (so server-side defaults are not drift); of the
 * metadata, only the labels and annotations TrustSync set are compared.
 */
public final class Differences {
  private Differences() {}

  public static List<String> between(ObjectNode desired, JsonNode applied, JsonNode live) {
    List<String> fields = new ArrayList<>();
    JsonNode reference = applied != null ? applied : desired;
    TreeSet<String> keys = new TreeSet<>();
    reference.fieldNames().forEachRemaining(keys::add);
    live.fieldNames().forEachRemaining(keys::add);
    for (String key : keys) {
      if (key.equals("apiVersion") || key.equals("kind") || key.equals("metadata") || key.equals("status")) {
        continue;
      }
      diff("/" + key, reference.get(key), live.get(key), fields);
    }
    for (String part : List.of("labels", "annotations")) {
      JsonNode wanted = desired.path("metadata").path(part);
      JsonNode actual = live.path("metadata").path(part);
      for (Iterator<Map.Entry<String, JsonNode>> it = wanted.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        JsonNode value = actual.get(entry.getKey());
        if (value == null || !value.equals(entry.getValue())) {
          fields.add("/metadata/" + part + "/" + entry.getKey().replace("~", "~0").replace("/", "~1"));
        }
      }
    }
    return fields;
  }

  private static void diff(String pointer, JsonNode expected, JsonNode actual, List<String> out) {
    if (expected == null || actual == null || expected.isNull() || actual.isNull()) {
      if (!(isAbsent(expected) && isAbsent(actual))) {
        out.add(pointer);
      }
      return;
    }
    if (expected.isObject() && actual.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      expected.fieldNames().forEachRemaining(keys::add);
      actual.fieldNames().forEachRemaining(keys::add);
      for (String key : keys) {
        diff(pointer + "/" + key.replace("~", "~0").replace("/", "~1"), expected.get(key), actual.get(key), out);
      }
      return;
    }
    if (expected.isArray() && actual.isArray()) {
      if (expected.size() != actual.size()) {
        out.add(pointer);
        return;
      }
      for (int i = 0; i < expected.size(); i++) {
        diff(pointer + "/" + i, expected.get(i), actual.get(i), out);
      }
      return;
    }
    if (!expected.equals(actual)) {
      out.add(pointer);
    }
  }

  private static boolean isAbsent(JsonNode node) {
    return node == null || node.isNull();
  }
}
