package io.trustsync.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A JSON value with every member of every object kept in document order, repeated keys included:
 * what Go's encoding/json walks when it decodes, where a tree keyed by name keeps only the last.
 * Each value carries its JSON pointer (repeats share one).
 */
public sealed interface RawJson {
  String pointer();

  record Member(String key, RawJson value) {}

  record RawObject(String pointer, List<Member> members) implements RawJson {}

  record RawArray(String pointer, List<RawJson> elements) implements RawJson {}

  /** A string, number, boolean or null. */
  record RawScalar(String pointer, JsonNode value) implements RawJson {}
}
