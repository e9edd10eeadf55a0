package io.trustsync.rendering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.List;

/**
 * Serialises rendered objects; byte-identical output for identical input. YAML quotes every
 * string that any YAML reader could take for something else ({@link YamlQuoting}); multi-line
 * strings (certificates) are literal blocks.
 */
public final class ManifestWriter {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .stringQuotingChecker(YamlQuoting.INSTANCE)
              .build());

  private ManifestWriter() {}

  public static ObjectMapper json() {
    return JSON;
  }

  /** JSON with object keys sorted at every level: the input of content hashes. */
  public static String canonicalJson(JsonNode node) {
    try {
      return JSON.writeValueAsString(JSON.treeToValue(node, Object.class));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  public static String yaml(List<RenderedObject> objects) {
    StringBuilder out = new StringBuilder();
    for (RenderedObject object : objects) {
      out.append("---\n").append(yaml(object.manifest()));
    }
    return out.toString();
  }

  public static String yaml(ObjectNode manifest) {
    try {
      return YAML.writeValueAsString(manifest);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
