package io.trustsync.trustpolicy;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustsync.json.GoKeys;
import io.trustsync.json.JsonDocument;
import io.trustsync.json.JsonPointers;
import io.trustsync.json.Position;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes a trust policy exactly as notation-go does (Go's encoding/json into {@code OCIDocument}),
 * and reports what that decoding hides or refuses.
 *
 * <p>Go matches keys case-insensitively (the last matching key wins), ignores unknown keys, reads
 * {@code null} as the zero value, and fails on a value of the wrong JSON type. A typo such as
 * {@code overide} is therefore silently dropped and weakens the policy, which is why
 * {@code schema.unknownProperty} is an error.
 */
final class TrustPolicyDecoder {
  static final List<String> ROOT_FIELDS = List.of("version", "trustPolicies");
  static final List<String> STATEMENT_FIELDS =
      List.of("name", "registryScopes", "signatureVerification", "trustStores", "trustedIdentities");
  static final List<String> VERIFICATION_FIELDS = List.of("level", "override", "verifyTimestamp");

  /** The decoded document, and whether Go's json.Unmarshal would have succeeded at all. */
  record Decoded(TrustPolicyDocument document, boolean decodable) {}

  private final JsonDocument json;
  private final Findings findings;
  private boolean decodable = true;

  private TrustPolicyDecoder(JsonDocument json, Findings findings) {
    this.json = json;
    this.findings = findings;
  }

  static Decoded decode(JsonDocument json, Findings findings) {
    if (json.members() != null) {
      return new GoDecoding(json, findings).decode();
    }
    TrustPolicyDecoder decoder = new TrustPolicyDecoder(json, findings);
    TrustPolicyDocument document = decoder.document();
    return new Decoded(document, decoder.decodable);
  }

  /**
   * The pointer of the key Go decodes into {@code field} of the object at {@code objectPointer}:
   * the last key in the document equal to it ignoring case; the canonical child when there is none.
   */
  static String fieldPointer(JsonDocument json, String objectPointer, String field) {
    JsonNode object = node(json, objectPointer);
    if (!object.isObject()) {
      return JsonPointers.child(objectPointer, field);
    }
    Comparator<String> documentOrder =
        Comparator.comparing((String key) -> json.keyPositionOf(JsonPointers.child(objectPointer, key)), POSITION_ORDER);
    return object.properties().stream()
        .map(Map.Entry::getKey)
        .filter(key -> GoKeys.fold(key).equals(GoKeys.fold(field)))
        .max(documentOrder)
        .map(key -> JsonPointers.child(objectPointer, key))
        .orElse(JsonPointers.child(objectPointer, field));
  }

  private static final Comparator<Position> POSITION_ORDER =
      Comparator.comparingInt(Position::line).thenComparingInt(Position::column);

  private TrustPolicyDocument document() {
    JsonNode root = json.root();
    checkStruct("", "the trust policy document", ROOT_FIELDS);
    String policies = fieldPointer(json, "", "trustPolicies");
    List<TrustPolicyStatement> statements = new ArrayList<>();
    JsonNode array = node(json, policies);
    if (array.isArray()) {
      for (int i = 0; i < array.size(); i++) {
        statements.add(statement(JsonPointers.child(policies, i)));
      }
    } else if (!isZero(array)) {
      typeError(policies, "trustPolicies", "an array of trust policy statements");
    }
    return new TrustPolicyDocument(json.file(), string(fieldPointer(json, "", "version"), "version"), List.copyOf(statements), root);
  }

  private TrustPolicyStatement statement(String pointer) {
    checkStruct(pointer, "a trust policy statement", STATEMENT_FIELDS);
    String verification = fieldPointer(json, pointer, "signatureVerification");
    checkStruct(verification, "signatureVerification", VERIFICATION_FIELDS);
    return new TrustPolicyStatement(
        string(fieldPointer(json, pointer, "name"), "name"),
        strings(fieldPointer(json, pointer, "registryScopes"), "registryScopes"),
        string(fieldPointer(json, verification, "level"), "level"),
        stringMap(fieldPointer(json, verification, "override"), "override"),
        string(fieldPointer(json, verification, "verifyTimestamp"), "verifyTimestamp"),
        strings(fieldPointer(json, pointer, "trustStores"), "trustStores"),
        strings(fieldPointer(json, pointer, "trustedIdentities"), "trustedIdentities"),
        pointer);
  }

  /** schema.type for a non-object; schema.unknownProperty for every key Go would ignore or only match ignoring case. */
  private void checkStruct(String pointer, String what, List<String> fields) {
    JsonNode object = node(json, pointer);
    if (isZero(object)) {
      return;
    }
    if (!object.isObject()) {
      typeError(pointer, what, "a JSON object");
      return;
    }
    for (Map.Entry<String, JsonNode> property : object.properties()) {
      String key = property.getKey();
      if (fields.contains(key)) {
        continue;
      }
      unknownProperty(findings, JsonPointers.child(pointer, key), key, what, fields);
    }
  }

  /** schema.unknownProperty for a key that is not exactly one of {@code fields}. */
  static void unknownProperty(Findings findings, String child, String key, String what, List<String> fields) {
    Optional<String> sameIgnoringCase = fields.stream().filter(f -> GoKeys.fold(f).equals(GoKeys.fold(key))).findFirst();
    if (sameIgnoringCase.isPresent()) {
      findings.keyError("schema.unknownProperty", child,
          "'" + key + "' is not a trust policy property; did you mean '" + sameIgnoringCase.get()
              + "'? notation-go matches keys ignoring case and reads it as '" + sameIgnoringCase.get()
              + "', but other Notary Project tools do not; write it exactly as '" + sameIgnoringCase.get() + "'");
    } else {
      String suggestion = nearest(key, fields).map(f -> "did you mean '" + f + "'? ").orElse("");
      findings.keyError("schema.unknownProperty", child,
          "'" + key + "' is not a property of " + what + ", so notation-go ignores it and it has no effect; "
              + suggestion + "accepted properties: " + String.join(", ", fields));
    }
  }

  private String string(String pointer, String name) {
    JsonNode value = node(json, pointer);
    if (value.isTextual()) {
      return value.textValue();
    }
    if (!isZero(value)) {
      typeError(pointer, name, "a string");
    }
    return "";
  }

  /** Elements of the wrong type decode to "" so that list indexes keep matching JSON pointers. */
  private List<String> strings(String pointer, String name) {
    JsonNode array = node(json, pointer);
    if (array.isArray()) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        values.add(string(JsonPointers.child(pointer, i), name + " entry"));
      }
      return List.copyOf(values);
    }
    if (!isZero(array)) {
      typeError(pointer, name, "an array of strings");
    }
    return List.of();
  }

  private Map<String, String> stringMap(String pointer, String name) {
    JsonNode object = node(json, pointer);
    Map<String, String> values = new LinkedHashMap<>();
    if (object.isObject()) {
      for (Map.Entry<String, JsonNode> entry : object.properties()) {
        values.put(entry.getKey(), string(JsonPointers.child(pointer, entry.getKey()), name + " value"));
      }
    } else if (!isZero(object)) {
      typeError(pointer, name, "a JSON object of strings");
    }
    return Collections.unmodifiableMap(values);
  }

  private void typeError(String pointer, String name, String expected) {
    decodable = false;
    typeError(findings, pointer, name, expected, node(json, pointer));
  }

  /** schema.type: a value Go's json.Unmarshal refuses, so notation-go loads nothing from the file. */
  static void typeError(Findings findings, String pointer, String name, String expected, JsonNode value) {
    findings.error("schema.type", pointer,
        "'" + name + "' must be " + expected + ", not " + describe(value)
            + "; notation-go cannot decode this file at all (it reports 'malformed trust policy')");
  }

  private static String describe(JsonNode value) {
    return switch (value.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number (" + value + ")";
      case BOOLEAN -> "a boolean (" + value + ")";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> value.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  /** Absent and null both decode to Go's zero value without error. */
  private static boolean isZero(JsonNode value) {
    return value.isMissingNode() || value.isNull();
  }

  static JsonNode node(JsonDocument json, String pointer) {
    return json.root().at(pointer);
  }

  /** The accepted key closest to a misspelt one, when it is close enough to be what was meant. */
  static Optional<String> nearest(String key, List<String> accepted) {
    String folded = GoKeys.fold(key);
    return accepted.stream()
        .filter(f -> io.trustsync.findings.EditDistance.between(folded, GoKeys.fold(f)) <= Math.max(2, f.length() / 4))
        .min(Comparator.comparingInt(f -> io.trustsync.findings.EditDistance.between(folded, GoKeys.fold(f))));
  }
}
