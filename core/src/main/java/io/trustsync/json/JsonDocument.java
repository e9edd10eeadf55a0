package io.trustsync.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A JSON file parsed into a tree, with the position of every value and every object key, and the
 * keys that appeared more than once. The tree keeps the last value of a repeated key; when an
 * object repeats a key, exactly or ignoring case, {@code members} also holds every member in order
 * (Go's encoding/json, which notation-go uses, decodes each repeat in turn), and is null otherwise.
 */
public record JsonDocument(
    String file,
    JsonNode root,
    Map<String, Position> valuePositions,
    Map<String, Position> keyPositions,
    List<DuplicateKey> duplicateKeys,
    RawJson members) {

  public record DuplicateKey(String pointer, Position first, Position repeated) {}

  /** Where the value at {@code pointer} starts, or the nearest enclosing value's position. */
  public Position positionOf(String pointer) {
    String p = pointer;
    while (true) {
      Position found = valuePositions.get(p);
      if (found != null) {
        return found;
      }
      if (p.isEmpty()) {
        return Position.UNKNOWN;
      }
      p = JsonPointers.parent(p);
    }
  }

  /** Where the key that names the value at {@code pointer} starts; falls back to the value. */
  public Position keyPositionOf(String pointer) {
    Position key = keyPositions.get(pointer);
    return key != null ? key : positionOf(pointer);
  }
}
