package io.trustsync.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** YAML read with the place of every value and key, and every refusal a finding rather than an exception. */
class YamlDocumentParserTest {
  private static JsonDocumentParser.Result parse(String text) {
    return YamlDocumentParser.parse("f.yaml", text.getBytes(StandardCharsets.UTF_8), "test.rule", "see the docs");
  }

  private static JsonDocument parsed(String text) {
    return ((JsonDocumentParser.Parsed) parse(text)).document();
  }

  private static JsonDocumentParser.Failed failed(String text) {
    assertThat(parse(text)).isInstanceOf(JsonDocumentParser.Failed.class);
    return (JsonDocumentParser.Failed) parse(text);
  }

  @Test
  void everyValueAndKeyHasItsLineAndColumn() {
    JsonDocument document = parsed("""
        list:
        - name: first
          items: [a, "b"]
        """);
    assertThat(document.root().at("/list/0/items/1").asText()).isEqualTo("b");
    assertThat(document.positionOf("/list/0/items/1")).isEqualTo(new Position(3, 14));
    assertThat(document.keyPositionOf("/list/0/items")).isEqualTo(new Position(3, 3));
    assertThat(document.positionOf("/list/0/name")).isEqualTo(new Position(2, 9));
    assertThat(document.positionOf("/list/0/missing")).as("the nearest enclosing value").isEqualTo(new Position(2, 3));
  }

  @Test
  void repeatedKeysAreListedAndTheLaterValueKept() {
    JsonDocument document = parsed("a: 1\nb: 2\na: 3\n");
    assertThat(document.root().get("a").asInt()).isEqualTo(3);
    assertThat(document.duplicateKeys()).singleElement().satisfies(d -> {
      assertThat(d.pointer()).isEqualTo("/a");
      assertThat(d.first()).isEqualTo(new Position(1, 1));
      assertThat(d.repeated()).isEqualTo(new Position(3, 1));
    });
  }

  @Test
  void anEmptyOrCommentOnlyFileIsAMissingRoot() {
    assertThat(parsed("").root().isMissingNode()).isTrue();
    assertThat(parsed("# only a comment\n").root().isMissingNode()).isTrue();
  }

  @Test
  void refusalsAreFindingsWithTheCallersRule() {
    assertThat(failed("a: [1\n").finding().ruleId()).isEqualTo("test.rule");
    assertThat(failed("a: [1\n").finding().message()).startsWith("not valid YAML: ").endsWith("; see the docs");
    assertThat(failed("a: &x 1\nb: *x\n").finding().message()).contains("aliases (*x)");
    assertThat(failed("a: 1\n---\nb: 2\n").finding().line()).isEqualTo(3);
    assertThat(failed("a: " + "[".repeat(40) + "]".repeat(40) + "\n").finding().message()).contains("deeper");
    assertThat(YamlDocumentParser.parse("f.yaml", new byte[] {(byte) 0xFF, 'a'}, "test.rule", "x")).isInstanceOf(JsonDocumentParser.Failed.class);
  }
}
