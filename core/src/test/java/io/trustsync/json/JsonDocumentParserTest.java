package io.trustsync.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonDocumentParserTest {
  private static JsonDocumentParser.Result parse(String text) {
    return JsonDocumentParser.parse("p.json", text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void remembersLineAndColumnOfNestedValues() {
    var result = parse("{\n  \"a\": [\n    {\"b\": 1}\n  ]\n}");
    assertThat(result).isInstanceOf(JsonDocumentParser.Parsed.class);
    JsonDocument doc = ((JsonDocumentParser.Parsed) result).document();
    assertThat(doc.positionOf("/a/0/b")).isEqualTo(new Position(3, 11));
    assertThat(doc.keyPositionOf("/a")).isEqualTo(new Position(2, 3));
  }

  @Test
  void reportsDuplicateKeysAndKeepsTheLastLikeGo() {
    JsonDocument doc = ((JsonDocumentParser.Parsed) parse("{\"v\": \"1\",\n \"v\": \"2\"}")).document();
    assertThat(doc.root().get("v").asText()).isEqualTo("2");
    assertThat(doc.duplicateKeys()).singleElement().satisfies(d -> {
      assertThat(d.pointer()).isEqualTo("/v");
      assertThat(d.repeated().line()).isEqualTo(2);
    });
  }

  @Test
  void rejectsByteOrderMark() {
    var result = JsonDocumentParser.parse("p.json", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'});
    assertThat(((JsonDocumentParser.Failed) result).finding().ruleId()).isEqualTo("schema.bom");
  }

  @Test
  void rejectsInvalidUtf8WithItsPosition() {
    byte[] bytes = {'{', '\n', '"', 'a', '"', ':', '"', (byte) 0xC3, '(', '"', '}'};
    var finding = ((JsonDocumentParser.Failed) JsonDocumentParser.parse("p.json", bytes)).finding();
    assertThat(finding.ruleId()).isEqualTo("schema.encoding");
    assertThat(finding.line()).isEqualTo(2);
    assertThat(finding.column()).isEqualTo(6);
  }

  @Test
  void boundsNestingDepthInsteadOfOverflowingTheStack() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    var result = parse(deep);
    assertThat(((JsonDocumentParser.Failed) result).finding().ruleId()).isEqualTo("schema.depth");
  }

  @Test
  void reportsSyntaxErrorsWithPosition() {
    var finding = ((JsonDocumentParser.Failed) parse("{\n  \"a\": ,\n}")).finding();
    assertThat(finding.ruleId()).isEqualTo("schema.syntax");
    assertThat(finding.line()).isEqualTo(2);
  }
}
