package io.trustsync.trustpolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.trustsync.json.JsonPointers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * The published JSON Schema for trust policies (docs/schema/trustpolicy.schema.json, kept
 * byte-identical to the classpath copy), compiled once.
 */
public final class TrustPolicySchema {
  /** Classpath resource, relative to this class. */
  public static final String RESOURCE = "trustpolicy.schema.json";

  private static final Schema SCHEMA = load();

  /** Keywords whose error concerns a property of the object at the instance location. */
  private static final Set<String> PROPERTY_KEYWORDS = Set.of("required", "additionalProperties");

  /** One schema violation at a JSON pointer. */
  public record Violation(String pointer, String keyword, String message) {}

  private TrustPolicySchema() {}

  public static List<Violation> validate(JsonNode document) {
    return SCHEMA.validate(document).stream().map(TrustPolicySchema::violation).toList();
  }

  private static Violation violation(Error error) {
    String pointer = pointer(error.getInstanceLocation());
    if (PROPERTY_KEYWORDS.contains(error.getKeyword()) && error.getProperty() != null) {
      pointer = JsonPointers.child(pointer, error.getProperty());
    }
    return new Violation(pointer, error.getKeyword(), error.getMessage());
  }

  private static String pointer(NodePath path) {
    String pointer = "";
    for (int i = 0; i < path.getNameCount(); i++) {
      Object element = path.getElement(i);
      pointer = element instanceof Integer index
          ? JsonPointers.child(pointer, index)
          : JsonPointers.child(pointer, String.valueOf(element));
    }
    return pointer;
  }

  private static Schema load() {
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    try (InputStream in = TrustPolicySchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + RESOURCE);
      }
      return registry.getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
