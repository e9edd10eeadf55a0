package io.trustsync.trustpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.json.JsonDocumentParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The published JSON Schema agrees with notation-go's verdict on the corpus, wherever a schema can. */
class TrustPolicySchemaTest {
  /** Rules whose problem a JSON Schema can express; the others need document-wide or DN logic. */
  private static final Set<String> SCHEMA_DETECTABLE = Set.of(
      "schema.type", "schema.unknownProperty", "notation.version", "notation.noStatements", "notation.statementName",
      "notation.level", "notation.override", "notation.overrideIntegrity", "notation.overrideSkip",
      "notation.overrideWithSkip", "notation.verifyTimestamp", "notation.skipWithTrust", "notation.missingTrust",
      "notation.trustStoreFormat", "notation.trustStoreType", "notation.trustStoreName", "notation.identityWildcard",
      "notation.identityEmpty", "notation.identitySeparator", "notation.scopeEmpty", "notation.scopeWildcard",
      "notation.scopeWildcardInside", "notation.scopeFormat");

  static List<String> parsableDocuments() {
    return TrustPolicyCorpusTest.expected().keySet().stream().filter(n -> !n.startsWith("syntax")).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsableDocuments")
  void agreesWithNotationOnCorpusDocument(String name) {
    List<String> expectedRules = TrustPolicyCorpusTest.expected().get(name).stream()
        .map(id -> id.substring(0, id.indexOf('@'))).toList();
    List<TrustPolicySchema.Violation> violations = TrustPolicySchema.validate(root(name));

    if (name.contains(".pass.")) {
      assertThat(violations).as("notation-go accepts " + name).isEmpty();
    }
    if (expectedRules.stream().anyMatch(SCHEMA_DETECTABLE::contains)) {
      assertThat(violations).as("schema-detectable problem in " + name).isNotEmpty();
    }
  }

  @Test
  void rejectsScopeRepeatedInsideOneStatement() {
    assertThat(TrustPolicySchema.validate(root("scope-repeated-in-statement.fail.json")))
        .extracting(TrustPolicySchema.Violation::keyword).contains("uniqueItems");
  }

  @Test
  void reportsMissingPropertyAtItsOwnPointer() {
    assertThat(TrustPolicySchema.validate(root("statement-name-missing.fail.json")))
        .extracting(TrustPolicySchema.Violation::pointer).contains("/trustPolicies/0/name");
  }

  @Test
  void publishedSchemaIsByteIdenticalToTheClasspathCopy() throws IOException {
    Path published = repositoryRoot().resolve("docs/schema/trustpolicy.schema.json");
    try (InputStream bundled = TrustPolicySchema.class.getResourceAsStream(TrustPolicySchema.RESOURCE)) {
      assertThat(Files.readAllBytes(published))
          .as("docs/schema/trustpolicy.schema.json must equal "
              + "core/src/main/resources/io/trustsync/trustpolicy/trustpolicy.schema.json; copy the latter over it")
          .isEqualTo(bundled.readAllBytes());
    }
  }

  @Test
  void everySchemaPropertyHasTitleAndDescription() throws IOException {
    try (InputStream in = TrustPolicySchema.class.getResourceAsStream(TrustPolicySchema.RESOURCE)) {
      List<String> undocumented = new ArrayList<>();
      collectUndocumented(new ObjectMapper().readTree(in), "", undocumented);
      assertThat(undocumented).isEmpty();
    }
  }

  /** Walks declared properties; if/then/else only restate properties declared elsewhere. */
  private static void collectUndocumented(JsonNode schema, String path, List<String> undocumented) {
    schema.properties().forEach(entry -> {
      String key = entry.getKey();
      JsonNode value = entry.getValue();
      if (Set.of("if", "then", "else").contains(key) || !value.isObject()) {
        return;
      }
      if (key.equals("properties")) {
        value.properties().forEach(p -> {
          JsonNode property = p.getValue();
          if (!property.has("$ref") && !(property.has("title") && property.has("description"))) {
            undocumented.add(path + "/" + p.getKey());
          }
          collectUndocumented(property, path + "/" + p.getKey(), undocumented);
        });
      } else {
        collectUndocumented(value, path + "/" + key, undocumented);
      }
    });
  }

  private static JsonNode root(String name) {
    var file = TrustPolicyCorpusTest.corpusFile(name);
    return ((JsonDocumentParser.Parsed) JsonDocumentParser.parse(file.path(), file.content())).document().root();
  }

  private static Path repositoryRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("docs/schema"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a parent directory holding docs/schema").isNotNull();
    return dir;
  }
}
