package io.trustsync.trustpolicy;

import static io.trustsync.trustpolicy.TrustPolicyDecoder.ROOT_FIELDS;
import static io.trustsync.trustpolicy.TrustPolicyDecoder.STATEMENT_FIELDS;
import static io.trustsync.trustpolicy.TrustPolicyDecoder.VERIFICATION_FIELDS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.trustsync.json.GoKeys;
import io.trustsync.json.JsonDocument;
import io.trustsync.json.JsonPointers;
import io.trustsync.json.RawJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * A trust policy that repeats a key (exactly, or ignoring case) decoded the way Go's encoding/json
 * decodes it into notation-go's {@code trustpolicy.Document}: each occurrence is decoded in turn
 * into the same Go value. So repeated objects merge field by field, a repeated {@code override}
 * merges key by key, a repeated array is decoded element by element into the slice already there
 * (an element keeps the fields the new one does not set, and a slice that shrank and grows again
 * finds its old elements in its backing array), a later {@code null} empties a slice or a map and
 * leaves a string or an object as it was. The notation-check differential test compares the result
 * with notation-go itself.
 */
final class GoDecoding {
  private final JsonDocument json;
  private final Findings findings;
  private final Set<String> unknownReported = new HashSet<>();
  private boolean decodable = true;

  GoDecoding(JsonDocument json, Findings findings) {
    this.json = json;
    this.findings = findings;
  }

  /**
   * A Go slice: the elements its backing array holds (every index written since the array was
   * made; growing copies them all, so only null or [] forgets them) and the slice's length.
   */
  private static final class Slice {
    final List<Object> held = new ArrayList<>();
    int length;

    List<Object> elements() {
      return held.subList(0, length);
    }
  }

  private static final class Statement {
    String name = "";
    final Slice registryScopes = new Slice();
    String level = "";
    Map<String, String> override; // null is Go's nil map
    String verifyTimestamp = "";
    final Slice trustStores = new Slice();
    final Slice trustedIdentities = new Slice();
  }

  TrustPolicyDecoder.Decoded decode() {
    String[] version = {""};
    Slice statements = new Slice();
    struct(json.members(), "the trust policy document", ROOT_FIELDS, (field, value) -> {
      switch (field) {
        case "version" -> version[0] = string(version[0], value, "version");
        case "trustPolicies" -> slice(statements, value, "trustPolicies", "an array of trust policy statements",
            (old, element) -> statement(old == null ? new Statement() : (Statement) old, element));
        default -> throw new IllegalStateException(field);
      }
    });
    String policies = TrustPolicyDecoder.fieldPointer(json, "", "trustPolicies");
    List<TrustPolicyStatement> decoded = new ArrayList<>();
    for (Object element : statements.elements()) {
      Statement s = (Statement) element;
      decoded.add(new TrustPolicyStatement(s.name, strings(s.registryScopes), s.level,
          s.override == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(s.override)),
          s.verifyTimestamp, strings(s.trustStores), strings(s.trustedIdentities),
          JsonPointers.child(policies, decoded.size())));
    }
    return new TrustPolicyDecoder.Decoded(
        new TrustPolicyDocument(json.file(), version[0], List.copyOf(decoded), json.root()), decodable);
  }

  private Statement statement(Statement statement, RawJson value) {
    struct(value, "a trust policy statement", STATEMENT_FIELDS, (field, member) -> {
      switch (field) {
        case "name" -> statement.name = string(statement.name, member, "name");
        case "registryScopes" -> stringSlice(statement.registryScopes, member, "registryScopes");
        case "signatureVerification" -> struct(member, "signatureVerification", VERIFICATION_FIELDS, (inner, setting) -> {
          switch (inner) {
            case "level" -> statement.level = string(statement.level, setting, "level");
            case "override" -> statement.override = map(statement.override, setting, "override");
            case "verifyTimestamp" -> statement.verifyTimestamp = string(statement.verifyTimestamp, setting, "verifyTimestamp");
            default -> throw new IllegalStateException(inner);
          }
        });
        case "trustStores" -> stringSlice(statement.trustStores, member, "trustStores");
        case "trustedIdentities" -> stringSlice(statement.trustedIdentities, member, "trustedIdentities");
        default -> throw new IllegalStateException(field);
      }
    });
    return statement;
  }

  /**
   * decodeState.object into a struct: each member goes to the field named exactly like it, else to
   * the field equal to it ignoring case; other members are ignored. A null leaves the struct as is.
   */
  private void struct(RawJson value, String what, List<String> fields, BiConsumer<String, RawJson> field) {
    if (isNull(value)) {
      return;
    }
    if (!(value instanceof RawJson.RawObject object)) {
      typeError(value, what, "a JSON object");
      return;
    }
    for (RawJson.Member member : object.members()) {
      String key = member.key();
      String target = fields.contains(key) ? key
          : fields.stream().filter(f -> GoKeys.fold(f).equals(GoKeys.fold(key))).findFirst().orElse(null);
      if (!key.equals(target)) {
        String child = JsonPointers.child(object.pointer(), key);
        if (unknownReported.add(child)) {
          TrustPolicyDecoder.unknownProperty(findings, child, key, what, fields);
        }
      }
      if (target != null) {
        field.accept(target, member.value());
      }
    }
  }

  /** literalStore into a string: a null is ignored, anything but a string is a type error. */
  private String string(String current, RawJson value, String name) {
    if (value instanceof RawJson.RawScalar scalar && scalar.value().isTextual()) {
      return scalar.value().textValue();
    }
    if (!isNull(value)) {
      typeError(value, name, "a string");
    }
    return current;
  }

  private void stringSlice(Slice slice, RawJson value, String name) {
    slice(slice, value, name, "an array of strings", (old, element) -> string(old == null ? "" : (String) old, element, name + " entry"));
  }

  /**
   * decodeState.array into a slice: element i is decoded into the slice's element i, the length
   * grows one element at a time (exposing what the backing array still holds at that index) and is
   * cut to the new array's length; [] leaves an empty slice and null a nil one, both with a new
   * backing array.
   */
  private void slice(Slice slice, RawJson value, String name, String expected, BiFunction<Object, RawJson, Object> element) {
    if (isNull(value)) {
      slice.held.clear();
      slice.length = 0;
      return;
    }
    if (!(value instanceof RawJson.RawArray array)) {
      typeError(value, name, expected);
      return;
    }
    int i = 0;
    for (RawJson item : array.elements()) {
      if (i == slice.held.size()) {
        slice.held.add(null); // a fresh slot holds Go's zero value
      }
      slice.held.set(i, element.apply(slice.held.get(i), item));
      i++;
    }
    slice.length = i;
    if (i == 0) {
      slice.held.clear();
    }
  }

  /** decodeState.object into a map: an existing map keeps its other keys; each value starts from "". */
  private Map<String, String> map(Map<String, String> current, RawJson value, String name) {
    if (isNull(value)) {
      return null;
    }
    if (!(value instanceof RawJson.RawObject object)) {
      typeError(value, name, "a JSON object of strings");
      return current;
    }
    Map<String, String> map = current == null ? new LinkedHashMap<>() : current;
    for (RawJson.Member member : object.members()) {
      map.put(member.key(), string("", member.value(), name + " value"));
    }
    return map;
  }

  private static List<String> strings(Slice slice) {
    List<String> values = new ArrayList<>(slice.length);
    for (Object element : slice.elements()) {
      values.add(element == null ? "" : (String) element);
    }
    return List.copyOf(values);
  }

  private void typeError(RawJson value, String name, String expected) {
    decodable = false;
    TrustPolicyDecoder.typeError(findings, value.pointer(), name, expected, rawValue(value));
  }

  private static JsonNode rawValue(RawJson value) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    return switch (value) {
      case RawJson.RawScalar scalar -> scalar.value();
      case RawJson.RawArray array -> nodes.arrayNode();
      case RawJson.RawObject object -> nodes.objectNode();
    };
  }

  private static boolean isNull(RawJson value) {
    return value instanceof RawJson.RawScalar scalar && scalar.value().isNull();
  }
}
