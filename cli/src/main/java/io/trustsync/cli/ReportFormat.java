package io.trustsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.findings.Finding;
import io.trustsync.validation.ValidationReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** How findings are printed: for people, for programs, for code-scanning, for GitHub Actions. */
enum ReportFormat {
  text {
    @Override
    void write(List<Checked> results, PrintWriter out) {
      for (Checked checked : results) {
        for (Finding f : checked.report().findings()) {
          String place = checked.input().display(f.file()) + (f.line() > 0 ? ":" + f.line() + ":" + f.column() : "");
          String pointer = f.pointer().isEmpty() ? "" : " [" + f.pointer() + "]";
          out.println(place + ": " + f.severity().label() + " " + f.ruleId() + pointer + ": " + f.message());
        }
        out.println(checked.input().path() + ": " + summary(checked.report()));
      }
    }
  },
  json {
    @Override
    void write(List<Checked> results, PrintWriter out) {
      ObjectNode root = MAPPER.createObjectNode();
      ArrayNode array = root.putArray("results");
      for (Checked checked : results) {
        ObjectNode result = array.addObject();
        result.put("path", checked.input().path().toString());
        result.put("kind", checked.input().kind().name().toLowerCase(java.util.Locale.ROOT));
        result.put("accepted", checked.report().accepted());
        result.put("errors", checked.report().errors());
        result.put("warnings", checked.report().warnings());
        ArrayNode suppressed = result.putArray("suppressed");
        for (var s : checked.report().suppressed()) {
          ObjectNode node = suppressed.addObject();
          node.put("ruleId", s.finding().ruleId());
          node.put("file", checked.input().display(s.finding().file()));
          node.put("pointer", s.finding().pointer());
          node.put("reason", s.reason());
        }
        ArrayNode findings = result.putArray("findings");
        for (Finding f : checked.report().findings()) {
          ObjectNode node = findings.addObject();
          node.put("ruleId", f.ruleId());
          node.put("severity", f.severity().label());
          node.put("file", checked.input().display(f.file()));
          node.put("pointer", f.pointer());
          node.put("line", f.line());
          node.put("column", f.column());
          node.put("message", f.message());
        }
      }
      out.println(root.toPrettyString());
    }
  },
  sarif {
    @Override
    void write(List<Checked> results, PrintWriter out) {
      ObjectNode log = MAPPER.createObjectNode();
      log.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
      log.put("version", "2.1.0");
      ObjectNode run = log.putArray("runs").addObject();
      ObjectNode driver = run.putObject("tool").putObject("driver");
      driver.put("name", "trustsync");
      BuildInfo build = BuildInfo.current();
      driver.put("version", build.version() != null ? build.version() : BuildInfo.DEVELOPMENT);
      driver.put("informationUri", "https://trustsync.io/docs/rules/");
      Map<String, String> rules = new TreeMap<>();
      ArrayNode sarifResults = run.putArray("results");
      for (Checked checked : results) {
        for (Finding f : checked.report().findings()) {
          rules.putIfAbsent(f.ruleId(), f.ruleId().substring(0, f.ruleId().indexOf('.')));
          ObjectNode result = sarifResults.addObject();
          result.put("ruleId", f.ruleId());
          result.put("level", f.isError() ? "error" : "warning");
          result.putObject("message").put("text", f.message());
          ObjectNode physical = result.putArray("locations").addObject().putObject("physicalLocation");
          physical.putObject("artifactLocation").put("uri", uri(checked.input().display(f.file())));
          if (f.line() > 0) {
            ObjectNode region = physical.putObject("region");
            region.put("startLine", f.line());
            region.put("startColumn", Math.max(1, f.column()));
          }
          if (!f.pointer().isEmpty()) {
            result.putObject("properties").put("jsonPointer", f.pointer());
          }
        }
      }
      ArrayNode ruleArray = driver.putArray("rules");
      rules.forEach((id, family) -> {
        ObjectNode rule = ruleArray.addObject();
        rule.put("id", id);
        io.trustsync.findings.RuleCatalog.Doc doc = io.trustsync.findings.RuleCatalog.doc(id);
        rule.putObject("shortDescription").put("text", id);
        if (doc != null) {
          rule.putObject("fullDescription").put("text", plain(doc.checks()));
          ObjectNode help = rule.putObject("help");
          help.put("text", plain(doc.fix()));
          help.put("markdown", doc.fix());
          rule.put("helpUri", "https://trustsync.io/" + doc.page() + "#" + id.replace('.', '-').toLowerCase(java.util.Locale.ROOT));
        }
        var severity = io.trustsync.findings.RuleCatalog.defaultSeverity(id);
        if (severity != null) {
          rule.putObject("defaultConfiguration").put("level", severity == io.trustsync.findings.Severity.ERROR ? "error" : "warning");
        }
        rule.putObject("properties").putArray("tags").add(family);
      });
      out.println(log.toPrettyString());
    }
  },
  github {
    @Override
    void write(List<Checked> results, PrintWriter out) {
      for (Checked checked : results) {
        for (Finding f : checked.report().findings()) {
          StringBuilder line = new StringBuilder("::").append(f.isError() ? "error" : "warning");
          line.append(" file=").append(property(checked.input().display(f.file())));
          if (f.line() > 0) {
            line.append(",line=").append(f.line()).append(",col=").append(Math.max(1, f.column()));
          }
          line.append(",title=").append(property(f.ruleId()));
          line.append("::").append(data(f.message()));
          out.println(line);
        }
      }
      text.summaries(results, out);
    }
  };

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  record Checked(PolicyInput input, ValidationReport report) {}

  abstract void write(List<Checked> results, PrintWriter out);

  /** Markdown table cell text as plain text: no backticks, no escaped pipes. */
  static String plain(String markdown) {
    return markdown.replace("`", "").replace("\\|", "|").replace("**", "");
  }

  void summaries(List<Checked> results, PrintWriter out) {
    for (Checked checked : results) {
      out.println(checked.input().path() + ": " + summary(checked.report()));
    }
  }

  static String summary(ValidationReport report) {
    return report.errors() + " error" + (report.errors() == 1 ? "" : "s") + ", " + report.warnings() + " warning"
        + (report.warnings() == 1 ? "" : "s")
        + (report.suppressed().isEmpty() ? "" : ", " + report.suppressed().size() + " suppressed by .trustsync.yaml")
        + (report.errors() > 0 ? " — rejected, nothing would be applied" : " — accepted");
  }

  /**
   * SARIF's artifactLocation.uri is a URI reference: '/' separators, and everything outside the
   * characters RFC 3986 allows in a path percent-encoded (a space in a folder name, non-ASCII
   * names, and ':' so a relative path's first segment is never read as a scheme).
   */
  static String uri(String path) {
    StringBuilder uri = new StringBuilder();
    for (byte b : path.replace('\\', '/').getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~/!$&'()*+,;=@".indexOf(c) >= 0)) {
        uri.append(c);
      } else {
        uri.append('%').append(String.format("%02X", b & 0xFF));
      }
    }
    return uri.toString();
  }

  // GitHub workflow command escaping: data escapes % CR LF; properties also ':' and ','.
  private static String data(String s) {
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  private static String property(String s) {
    return data(s).replace(":", "%3A").replace(",", "%2C");
  }
}
