package io.trustsync.findings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The catalog, the rule ids in the sources and the tables in docs/rules/ are the same set, with the same severities. */
class RuleCatalogTest {
  /** Tests run with core/ as the working directory. */
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Path DOCS = Path.of("../docs/rules");
  /** A rule id: family, then one or more dot-separated names (signer.expected.overlap). */
  private static final String ID = "(?:\\.[a-zA-Z0-9]+)+";
  private static final Pattern LITERAL = Pattern.compile("\"((?:schema|notation|store|repo|signer)" + ID + ")\"");
  private static final Pattern ROW = Pattern.compile("^\\| `((?:schema|notation|store|repo|signer|config)" + ID + ")` \\| ([a-z]+) \\|", Pattern.MULTILINE);
  private static final Pattern CONFIG_ROW = Pattern.compile("^\\| `(config\\.[a-zA-Z0-9]+)` \\|", Pattern.MULTILINE);

  @Test
  void everyRuleInTheSourcesIsCatalogued() throws IOException {
    Set<String> used = new TreeSet<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        if (file.endsWith("RuleCatalog.java")) {
          continue;
        }
        Matcher m = LITERAL.matcher(Files.readString(file));
        while (m.find()) {
          used.add(m.group(1));
        }
      }
    }
    assertThat(used).hasSizeGreaterThan(60);
    assertThat(RuleCatalog.ids()).containsExactlyInAnyOrderElementsOf(used);
  }

  @Test
  void everyRuleIsDocumentedWithItsSeverity() throws IOException {
    Map<String, String> documented = new TreeMap<>();
    Set<String> configRules = new TreeSet<>();
    try (Stream<Path> files = Files.list(DOCS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".md")).toList()) {
        String text = Files.readString(file);
        Matcher m = ROW.matcher(text);
        while (m.find()) {
          documented.put(m.group(1), m.group(2));
        }
        Matcher c = CONFIG_ROW.matcher(text);
        while (c.find()) {
          configRules.add(c.group(1));
        }
      }
    }
    for (String id : RuleCatalog.ids()) {
      assertThat(documented).as("docs/rules/ documents %s", id).containsKey(id);
      assertThat(documented.get(id)).as(id).isEqualTo(RuleCatalog.defaultSeverity(id).name().toLowerCase(java.util.Locale.ROOT));
    }
    assertThat(configRules).contains("config.invalid", "config.unknownKey", "config.unknownRule", "config.severity", "config.reasonRequired",
        "config.cannotDemote", "config.limit");
  }
}
