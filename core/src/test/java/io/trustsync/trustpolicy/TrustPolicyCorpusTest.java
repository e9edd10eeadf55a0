package io.trustsync.trustpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.repository.RepoFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every corpus document yields exactly the rule ids (with lines) listed for it in expected.json:
 * each rule has a document that breaks it and a near-identical one that passes.
 */
class TrustPolicyCorpusTest {
  static final String CORPUS = "/trustpolicy-corpus/";

  /** File name to the sorted "ruleId@line" findings expected for it. */
  static Map<String, List<String>> expected() {
    try (InputStream in = TrustPolicyCorpusTest.class.getResourceAsStream(CORPUS + "expected.json")) {
      JsonNode index = new ObjectMapper().readTree(in);
      Map<String, List<String>> expected = new TreeMap<>();
      index.properties().forEach(e -> {
        List<String> ids = new ArrayList<>();
        e.getValue().forEach(id -> ids.add(id.asText()));
        expected.put(e.getKey(), ids);
      });
      return expected;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<String> documents() {
    return expected().keySet().stream();
  }

  static RepoFile corpusFile(String name) {
    try (InputStream in = TrustPolicyCorpusTest.class.getResourceAsStream(CORPUS + name)) {
      return new RepoFile("environments/test/" + name, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void reportsExactlyTheExpectedRulesAndLines(String name) {
    TrustPolicyValidator.Result result = TrustPolicyValidator.validate(corpusFile(name));

    List<String> actual = result.findings().stream().map(f -> f.ruleId() + "@" + f.line()).sorted().toList();
    assertThat(actual).as(name + " findings: " + result.findings()).isEqualTo(expected().get(name));
    // The file name says notation-go's verdict: .pass. files are accepted (warnings allowed).
    assertThat(result.hasErrors()).as(name).isEqualTo(name.contains(".fail."));
  }

  @Test
  void indexesEveryCorpusDocument() throws URISyntaxException, IOException {
    Path corpus = Path.of(TrustPolicyCorpusTest.class.getResource(CORPUS + "expected.json").toURI()).getParent();
    try (Stream<Path> files = Files.list(corpus)) {
      List<String> documents = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json") && !n.equals("expected.json")).sorted().toList();
      assertThat(documents).containsExactlyElementsOf(expected().keySet());
    }
  }
}
