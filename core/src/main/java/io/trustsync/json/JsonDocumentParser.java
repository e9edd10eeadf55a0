package io.trustsync.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a JSON file strictly (UTF-8 without BOM, bounded nesting) into a {@link JsonDocument}
 * that remembers where every value sits, so findings can name line and column.
 */
public final class JsonDocumentParser {
  /** Deeper than any sensible trust policy (which nests four levels); stops stack-exhaustion input. */
  public static final int MAX_DEPTH = 64;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();

  /** Either a document or the finding that explains why there is none. */
  public sealed interface Result permits Parsed, Failed {}

  public record Parsed(JsonDocument document) implements Result {}

  public record Failed(Finding finding) implements Result {}

  private JsonDocumentParser() {}

  public static Result parse(String file, byte[] content) {
    if (content.length >= 3
        && (content[0] & 0xFF) == 0xEF
        && (content[1] & 0xFF) == 0xBB
        && (content[2] & 0xFF) == 0xBF) {
      return fail(file, "schema.bom", 1, 1,
          "the file starts with a UTF-8 byte order mark, which notation cannot read; save it as UTF-8 without BOM");
    }
    Position badByte = firstInvalidUtf8(content);
    if (badByte != null) {
      return fail(file, "schema.encoding", badByte.line(), badByte.column(),
          "the file is not valid UTF-8 here; save it as UTF-8");
    }
    Map<String, Position> values = new HashMap<>();
    Map<String, Position> keys = new HashMap<>();
    List<JsonDocument.DuplicateKey> duplicates = new ArrayList<>();
    boolean[] foldedRepeat = {false};
    try (JsonParser parser = FACTORY.createParser(content)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return fail(file, "schema.syntax", 1, 1, "the file is empty; it must hold a JSON object");
      }
      JsonNode root = read(parser, "", values, keys, duplicates, foldedRepeat);
      JsonToken trailing = parser.nextToken();
      if (trailing != null) {
        Position at = position(parser.currentTokenLocation());
        return fail(file, "schema.syntax", at.line(), at.column(),
            "unexpected content after the end of the JSON document; remove it");
      }
      // Only a document that repeats a key needs every member kept: Go's decoder merges the repeats.
      RawJson members = duplicates.isEmpty() && !foldedRepeat[0] ? null : members(content);
      return new Parsed(new JsonDocument(file, root, Map.copyOf(values), Map.copyOf(keys), List.copyOf(duplicates), members));
    } catch (StreamConstraintsException e) {
      return fail(file, "schema.depth", 0, 0,
          "JSON nesting is deeper than " + MAX_DEPTH + " levels; a trust policy needs at most 5");
    } catch (JsonProcessingException e) {
      Position at = position(e.getLocation());
      return fail(file, "schema.syntax", at.line(), at.column(),
          "invalid JSON: " + e.getOriginalMessage().lines().findFirst().orElse("syntax error"));
    } catch (IOException e) {
      return fail(file, "schema.syntax", 0, 0, "cannot read JSON: " + e.getMessage());
    }
  }

  private static JsonNode read(
      JsonParser parser,
      String pointer,
      Map<String, Position> values,
      Map<String, Position> keys,
      List<JsonDocument.DuplicateKey> duplicates,
      boolean[] foldedRepeat)
      throws IOException {
    values.put(pointer, position(parser.currentTokenLocation()));
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        ObjectNode object = nodes.objectNode();
        Map<String, Position> seen = new LinkedHashMap<>();
        Map<String, String> folded = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          String child = JsonPointers.child(pointer, name);
          Position keyAt = position(parser.currentTokenLocation());
          Position earlier = seen.put(name, keyAt);
          if (earlier != null) {
            duplicates.add(new JsonDocument.DuplicateKey(child, earlier, keyAt));
          }
          String sameIgnoringCase = folded.put(GoKeys.fold(name), name);
          if (sameIgnoringCase != null && !sameIgnoringCase.equals(name)) {
            foldedRepeat[0] = true;
          }
          keys.put(child, keyAt);
          parser.nextToken();
          object.set(name, read(parser, child, values, keys, duplicates, foldedRepeat));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = nodes.arrayNode();
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(read(parser, JsonPointers.child(pointer, index++), values, keys, duplicates, foldedRepeat));
        }
        return array;
      }
      default -> {
        return scalar(parser);
      }
    }
  }

  /** A second pass over content already parsed once, keeping every member of every object. */
  private static RawJson members(byte[] content) throws IOException {
    try (JsonParser parser = FACTORY.createParser(content)) {
      parser.nextToken();
      return readMembers(parser, "");
    }
  }

  private static RawJson readMembers(JsonParser parser, String pointer) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        List<RawJson.Member> members = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          String child = JsonPointers.child(pointer, name);
          parser.nextToken();
          members.add(new RawJson.Member(name, readMembers(parser, child)));
        }
        return new RawJson.RawObject(pointer, List.copyOf(members));
      }
      case START_ARRAY -> {
        List<RawJson> elements = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          elements.add(readMembers(parser, JsonPointers.child(pointer, elements.size())));
        }
        return new RawJson.RawArray(pointer, List.copyOf(elements));
      }
      default -> {
        return new RawJson.RawScalar(pointer, scalar(parser));
      }
    }
  }

  private static JsonNode scalar(JsonParser parser) throws IOException {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    switch (parser.currentToken()) {
      case VALUE_STRING -> {
        return nodes.textNode(parser.getText());
      }
      case VALUE_NUMBER_INT -> {
        return nodes.numberNode(parser.getBigIntegerValue());
      }
      case VALUE_NUMBER_FLOAT -> {
        return nodes.numberNode(parser.getDecimalValue());
      }
      case VALUE_TRUE -> {
        return nodes.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return nodes.booleanNode(false);
      }
      case VALUE_NULL -> {
        return nodes.nullNode();
      }
      default -> throw new IllegalStateException("unexpected token " + parser.currentToken());
    }
  }

  private static Position position(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return Position.UNKNOWN;
    }
    return new Position(location.getLineNr(), location.getColumnNr());
  }

  private static Result fail(String file, String rule, int line, int column, String message) {
    return new Failed(new Finding(rule, Severity.ERROR, file, "", line, column, message));
  }

  /** The line and column of the first byte sequence that is not UTF-8, or null. */
  private static Position firstInvalidUtf8(byte[] content) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      decoder.decode(ByteBuffer.wrap(content));
      return null;
    } catch (CharacterCodingException e) {
      // Slow path, only on bad input: find the offending offset by decoding prefixes line by line.
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < content.length; i++) {
        int b = content[i] & 0xFF;
        if (b == '\n') {
          line++;
          lineStart = i + 1;
          continue;
        }
        int length = b < 0x80 ? 1 : b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : -1;
        if (length < 0 || i + length > content.length) {
          return new Position(line, i - lineStart + 1);
        }
        try {
          decoder.reset().decode(ByteBuffer.wrap(content, i, length));
        } catch (CharacterCodingException bad) {
          return new Position(line, i - lineStart + 1);
        }
        i += length - 1;
      }
      return new Position(line, 1);
    }
  }
}
