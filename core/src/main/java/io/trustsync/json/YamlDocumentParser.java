package io.trustsync.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Parses a small YAML file of the policy repository (one document, UTF-8) into a
 * {@link JsonDocument} that remembers the line and column of every value and key, so findings about
 * it point at the place as they do for a trust policy. Aliases are refused rather than expanded (a
 * hand-written configuration needs none, and expansion is how a small file becomes a huge tree);
 * a key repeated in one mapping is listed in {@link JsonDocument#duplicateKeys()}, the tree keeping
 * the later value. Never throws: what cannot be read is a finding with the caller's rule id.
 */
public final class YamlDocumentParser {
  /** Deeper than any configuration TrustSync reads (which nests four levels). */
  public static final int MAX_DEPTH = 32;

  private static final YAMLFactory FACTORY = YAMLFactory.builder().loaderOptions(loaderOptions()).build();

  private YamlDocumentParser() {}

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setNestingDepthLimit(MAX_DEPTH + 1);
    // the reader already bounds the file's size; snakeyaml's own 3 MB default would be a second, different limit
    options.setCodePointLimit(Integer.MAX_VALUE);
    return options;
  }

  /**
   * The document, or a {@link JsonDocumentParser.Failed} finding with rule {@code rule} naming
   * {@code hint} (where the format is described) in its message.
   */
  public static JsonDocumentParser.Result parse(String file, byte[] content, String rule, String hint) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(content))
          .toString();
    } catch (CharacterCodingException e) {
      return fail(file, rule, Position.UNKNOWN, "the file is not valid UTF-8; save it as UTF-8");
    }
    Map<String, Position> values = new HashMap<>();
    Map<String, Position> keys = new HashMap<>();
    List<JsonDocument.DuplicateKey> duplicates = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() == null) {
        return new JsonDocumentParser.Parsed(new JsonDocument(file, JsonNodeFactory.instance.missingNode(), Map.of(), Map.of(), List.of(), null));
      }
      JsonNode root;
      try {
        root = read(parser, "", 0, values, keys, duplicates);
      } catch (Refused refused) {
        return fail(file, rule, refused.at, refused.getMessage());
      }
      if (parser.nextToken() != null) {
        Position at = position(parser.currentTokenLocation());
        return fail(file, rule, at, "the file holds more than one YAML document; keep one (remove the '---' and what follows, or merge them)");
      }
      return new JsonDocumentParser.Parsed(new JsonDocument(file, root, Map.copyOf(values), Map.copyOf(keys), List.copyOf(duplicates), null));
    } catch (JsonProcessingException e) {
      // snakeyaml's message: what it was doing and what it found, each followed by indented "in 'reader'" context lines
      String reason = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines()
          .filter(line -> !line.isBlank() && !line.startsWith(" ") && !line.startsWith("\t"))
          .collect(java.util.stream.Collectors.joining(": "));
      return fail(file, rule, position(e.getLocation()), "not valid YAML: " + (reason.isEmpty() ? "syntax error" : reason) + "; " + hint);
    } catch (IOException | RuntimeException e) {
      // snakeyaml reports some limits (nesting depth) as unchecked exceptions
      return fail(file, rule, Position.UNKNOWN, "cannot be read as YAML: " + e.getMessage() + "; " + hint);
    }
  }

  private static JsonNode read(JsonParser parser, String pointer, int depth, Map<String, Position> values, Map<String, Position> keys,
      List<JsonDocument.DuplicateKey> duplicates) throws IOException {
    Position at = position(parser.currentTokenLocation());
    values.put(pointer, at);
    if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      throw new Refused("YAML aliases (*" + parser.getText() + ") are not supported here; write the value out in full", at);
    }
    if (depth > MAX_DEPTH) {
      throw new Refused("nested deeper than " + MAX_DEPTH + " levels; this file needs at most four", at);
    }
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        ObjectNode object = nodes.objectNode();
        Map<String, Position> seen = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          String child = JsonPointers.child(pointer, name);
          Position keyAt = position(parser.currentTokenLocation());
          Position earlier = seen.put(name, keyAt);
          if (earlier != null) {
            duplicates.add(new JsonDocument.DuplicateKey(child, earlier, keyAt));
          }
          keys.put(child, keyAt);
          parser.nextToken();
          object.set(name, read(parser, child, depth + 1, values, keys, duplicates));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = nodes.arrayNode();
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(read(parser, JsonPointers.child(pointer, index++), depth + 1, values, keys, duplicates));
        }
        return array;
      }
      case VALUE_STRING -> {
        return nodes.textNode(parser.getText());
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return nodes.numberNode(parser.getDecimalValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return nodes.booleanNode(parser.currentToken() == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        return nodes.nullNode();
      }
      default -> {
        // an embedded object (a !!binary scalar): not a value any configuration takes
        return nodes.textNode(parser.getText());
      }
    }
  }

  /** Something the reader refuses (an alias, too deep a tree); unwinds the recursion to the one finding it becomes. */
  private static final class Refused extends RuntimeException {
    final Position at;

    Refused(String message, Position at) {
      super(message, null, false, false);
      this.at = at;
    }
  }

  private static Position position(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return Position.UNKNOWN;
    }
    return new Position(location.getLineNr(), Math.max(1, location.getColumnNr()));
  }

  private static JsonDocumentParser.Result fail(String file, String rule, Position at, String message) {
    return new JsonDocumentParser.Failed(new Finding(rule, Severity.ERROR, file, "", at.line(), at.column(), message));
  }
}
