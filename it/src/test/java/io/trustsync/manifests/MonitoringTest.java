package io.trustsync.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trustsync.operator.shared.TrustSyncMetrics;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.testing.ProjectFolder;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.findings.ValidationOptions;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alerts and the dashboard query what the operator really exports: every metric name and
 * every label they use appears in a scrape of {@link TrustSyncMetrics}, and every expression is
 * well formed as far as brackets and quotes go (no promtool here).
 */
class MonitoringTest {
  private static final Pattern METRIC = Pattern.compile("\\b(trustsync_[a-z0-9_]+)(\\{([^}]*)})?");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"");
  private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring)\\s*\\(([^)]*)\\)");

  static Map<String, Set<String>> labelsByMetric;
  static List<String> ruleExpressions;
  static List<String> dashboardExpressions;

  @BeforeAll
  static void scrapeAndRead() throws Exception {
    TrustSyncMetrics metrics = new TrustSyncMetrics();
    metrics.fetch("ns/src", Duration.ofMillis(80), true);
    metrics.revision("ns/src", "bbbb", "aaaa");
    metrics.findings("ns/src", 1, 2);
    metrics.rejected("ns/src", "ValidationFailed");
    metrics.stale("ns/src", true, Instant.now());
    metrics.webhook("unauthorized");
    metrics.syncState("ns/dist", "member-0", "Synced");
    metrics.driftedObjects("ns/dist", "member-0", 1);
    metrics.driftEvent("ns/dist", "member-0", "Modified");
    metrics.lastSync("ns/dist", "member-0", Instant.now());
    metrics.propagation("ns/dist", Duration.ofSeconds(3));
    metrics.divergence("ns/dist", 2, Instant.now(), true);
    metrics.audit("ns/audit", "acme.azurecr.io/storefront/web", 3, 1, 0, 1, Map.of("CN=team-a", 2));
    metrics.auditRun("ns/audit", Instant.now());
    metrics.enforcement("ns/dist", "member-0", "apps", "warn", 2L);
    var report = RepositoryValidator.validate(RepositoryReader.read(ProjectFolder.root().resolve("policy-repo-example")),
        ValidationOptions.at(Instant.now()));
    metrics.certificates("ns/src", report.environments());
    labelsByMetric = parseScrape(metrics.scrape());

    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode rule = yaml.readTree(Manifests.folder("monitoring").resolve("prometheusrule.yaml").toFile());
    ruleExpressions = new ArrayList<>();
    rule.path("spec").path("groups").forEach(g -> g.path("rules").forEach(r -> ruleExpressions.add(r.path("expr").asText())));
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(Manifests.folder("monitoring").resolve("dashboard.json")));
    dashboardExpressions = new ArrayList<>();
    dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> dashboardExpressions.add(t.path("expr").asText())));
  }

  @Test
  void theRulesHoldTheAlertsSresAskedFor() throws Exception {
    JsonNode rule = new ObjectMapper(new YAMLFactory()).readTree(Manifests.folder("monitoring").resolve("prometheusrule.yaml").toFile());
    List<String> alerts = new ArrayList<>();
    rule.path("spec").path("groups").forEach(g -> g.path("rules").forEach(r -> alerts.add(r.path("alert").asText() + "/" + r.path("labels").path("severity").asText())));
    assertThat(alerts).contains("TrustSyncClusterDrifted/warning", "TrustSyncClusterNotSynced/warning", "TrustSyncClusterUnreachable/warning",
        "TrustSyncSourceFetchFailing/warning", "TrustSyncRevisionRejected/warning", "TrustSyncRootExpiringSoon/warning",
        "TrustSyncRootExpiringSoon/critical", "TrustSyncPropagationSlow/warning", "TrustSyncFleetDiverged/warning",
        "TrustSyncRolloutHalted/warning", "TrustSyncUnexpectedSigner/critical", "TrustSyncUnsignedImages/warning");
    assertThat(ruleExpressions).allSatisfy(e -> assertThat(e).isNotBlank());
  }

  @Test
  void everyMetricAndLabelTheAlertsAndDashboardQueryIsExported() {
    List<String> all = new ArrayList<>(ruleExpressions);
    all.addAll(dashboardExpressions);
    assertThat(dashboardExpressions).hasSizeGreaterThanOrEqualTo(8);
    for (String expression : all) {
      Matcher metric = METRIC.matcher(expression);
      Set<String> used = new TreeSet<>();
      while (metric.find()) {
        String name = metric.group(1);
        assertThat(labelsByMetric).as("metric %s in %s", name, expression).containsKey(name);
        used.addAll(labelsByMetric.get(name));
        if (metric.group(3) != null) {
          Matcher matcher = MATCHER.matcher(metric.group(3));
          while (matcher.find()) {
            assertThat(labelsByMetric.get(name)).as("label %s of %s in %s", matcher.group(1), name, expression).contains(matcher.group(1));
          }
        }
      }
      Matcher grouping = GROUPING.matcher(expression);
      while (grouping.find()) {
        for (String label : grouping.group(2).split(",")) {
          if (!label.isBlank() && !used.isEmpty()) {
            assertThat(used).as("grouping label %s in %s", label.strip(), expression).contains(label.strip());
          }
        }
      }
    }
  }

  @Test
  void everyExpressionHasBalancedBracketsAndQuotes() {
    List<String> all = new ArrayList<>(ruleExpressions);
    all.addAll(dashboardExpressions);
    for (String expression : all) {
      Deque<Character> open = new ArrayDeque<>();
      boolean quoted = false;
      for (char c : expression.toCharArray()) {
        if (c == '"') {
          quoted = !quoted;
        } else if (!quoted && "({[".indexOf(c) >= 0) {
          open.push(c);
        } else if (!quoted && ")}]".indexOf(c) >= 0) {
          assertThat(open).as("unbalanced %s in %s", c, expression).isNotEmpty();
          char o = open.pop();
          assertThat("({[".indexOf(o)).as("mismatched %s in %s", c, expression).isEqualTo(")}]".indexOf(c));
        }
      }
      assertThat(quoted).as("unclosed quote in %s", expression).isFalse();
      assertThat(open).as("unclosed bracket in %s", expression).isEmpty();
      // rate()/increase() need a range; histogram_quantile needs the _bucket series and le.
      assertThat(expression).doesNotContainPattern("(rate|increase)\\([^\\[]*\\)");
      if (expression.contains("histogram_quantile")) {
        assertThat(expression).contains("_bucket").containsPattern("by \\([^)]*\\ble\\b");
      }
    }
  }

  /** metric name (without type suffixes stripped: as scraped) to its label names. */
  private static Map<String, Set<String>> parseScrape(String scrape) {
    return scrape.lines().filter(l -> l.startsWith("trustsync_")).collect(Collectors.toMap(
        l -> l.split("[{ ]", 2)[0],
        l -> {
          Set<String> labels = new TreeSet<>();
          int brace = l.indexOf('{');
          if (brace > 0) {
            Matcher m = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(l.substring(brace, l.lastIndexOf('}')));
            while (m.find()) {
              labels.add(m.group(1));
            }
          }
          return labels;
        },
        (a, b) -> {
          Set<String> union = new TreeSet<>(a);
          union.addAll(b);
          return union;
        }));
  }
}
