package io.trustsync.findings;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A repository's gate configuration, {@code .trustsync.yaml} at its root (optional): per-rule
 * severities (promote a warning to an error, suppress one with a reason, demote the few errors
 * that are TrustSync's own judgement), the certificate expiry window and the file size limit.
 * Errors that mean notation or the consumer would refuse the revision can never be demoted: an
 * invalid revision is never applied, whatever a repository says about itself.
 */
public record GateConfig(Map<String, Setting> rules, Duration expiryWindow, Long maxFileBytes, List<Finding> problems) {
  public static final String FILE = ".trustsync.yaml";
  /** The largest maxFileBytes a repository may ask for: the reader holds each file in memory. */
  public static final long MAX_FILE_BYTES_CAP = 16L * 1024 * 1024;
  /** Errors a repository may demote: judgements of TrustSync's own, not notation's verdict. */
  public static final Set<String> DEMOTABLE = Set.of("signer.identityUnsatisfied");
  public static final GateConfig NONE = new GateConfig(Map.of(), null, null, List.of());

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([dh])");

  /** What a rule becomes: a severity, or off (suppressed, with the reason). */
  public record Setting(Severity severity, boolean off, String reason) {}

  /** A finding a repository suppressed, and why. */
  public record Suppressed(Finding finding, String reason) {}

  public GateConfig {
    rules = Map.copyOf(rules);
    problems = List.copyOf(problems);
  }

  /** Parses the file's bytes (null: no file). Never throws: problems are {@code config.*} findings. */
  public static GateConfig parse(byte[] content) {
    if (content == null) {
      return NONE;
    }
    List<Finding> problems = new ArrayList<>();
    JsonNode root;
    try {
      root = YAML.readTree(content);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      problems.add(new Finding("config.invalid", Severity.ERROR, FILE, "", at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(),
          "not valid YAML: " + e.getOriginalMessage() + "; see docs/rules/repository.md for the format"));
      return new GateConfig(Map.of(), null, null, problems);
    } catch (java.io.IOException e) {
      problems.add(Finding.error("config.invalid", FILE, "could not be read: " + e.getMessage()));
      return new GateConfig(Map.of(), null, null, problems);
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return NONE;
    }
    if (!root.isObject()) {
      problems.add(Finding.error("config.invalid", FILE, "must be a mapping with rules, expiryWindow and maxFileBytes"));
      return new GateConfig(Map.of(), null, null, problems);
    }
    Map<String, Setting> rules = new LinkedHashMap<>();
    Duration window = null;
    Long maxBytes = null;
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      switch (field.getKey()) {
        case "rules" -> rules(field.getValue(), rules, problems);
        case "expiryWindow" -> window = window(field.getValue(), problems);
        case "maxFileBytes" -> maxBytes = maxBytes(field.getValue(), problems);
        default -> problems.add(new Finding("config.unknownKey", Severity.ERROR, FILE, "/" + field.getKey(), 0, 0,
            "unknown key '" + field.getKey() + "'" + suggestion(field.getKey(), List.of("rules", "expiryWindow", "maxFileBytes"))
                + "; the keys are rules, expiryWindow and maxFileBytes"));
      }
    }
    return new GateConfig(rules, window, maxBytes, problems);
  }

  private static void rules(JsonNode node, Map<String, Setting> rules, List<Finding> problems) {
    if (!node.isObject()) {
      problems.add(new Finding("config.invalid", Severity.ERROR, FILE, "/rules", 0, 0, "rules must map rule ids to a severity"));
      return;
    }
    for (Map.Entry<String, JsonNode> rule : node.properties()) {
      String id = rule.getKey();
      String pointer = "/rules/" + id;
      if (!RuleCatalog.ids().contains(id)) {
        problems.add(new Finding("config.unknownRule", Severity.ERROR, FILE, pointer, 0, 0,
            "'" + id + "' is not a TrustSync rule" + suggestion(id, RuleCatalog.ids()) + "; the rules are listed in docs/rules/"));
        continue;
      }
      JsonNode value = rule.getValue();
      String severity;
      String reason = null;
      if (value.isTextual() || value.isBoolean()) {
        severity = value.asText();
      } else if (value.isObject()) {
        severity = value.path("severity").asText("");
        reason = value.hasNonNull("reason") ? value.get("reason").asText().strip() : null;
        for (Map.Entry<String, JsonNode> key : value.properties()) {
          if (!key.getKey().equals("severity") && !key.getKey().equals("reason")) {
            problems.add(new Finding("config.unknownKey", Severity.ERROR, FILE, pointer + "/" + key.getKey(), 0, 0,
                "unknown key '" + key.getKey() + "' for rule " + id + "; a rule takes severity and reason"));
          }
        }
      } else {
        problems.add(new Finding("config.severity", Severity.ERROR, FILE, pointer, 0, 0, "rule " + id + ": give error, warning or off"));
        continue;
      }
      // YAML 1.1 reads a bare off as false
      String normalized = severity.equals("false") ? "off" : severity.toLowerCase(Locale.ROOT);
      Severity defaultSeverity = RuleCatalog.defaultSeverity(id);
      switch (normalized) {
        case "error", "warning" -> {
          Severity chosen = normalized.equals("error") ? Severity.ERROR : Severity.WARNING;
          if (defaultSeverity == Severity.ERROR && chosen == Severity.WARNING && !DEMOTABLE.contains(id)) {
            problems.add(cannotDemote(id, pointer));
          } else {
            rules.put(id, new Setting(chosen, false, reason));
          }
        }
        case "off" -> {
          if (defaultSeverity == Severity.ERROR && !DEMOTABLE.contains(id)) {
            problems.add(cannotDemote(id, pointer));
          } else if (reason == null || reason.isEmpty()) {
            problems.add(new Finding("config.reasonRequired", Severity.ERROR, FILE, pointer, 0, 0,
                "rule " + id + " is switched off without a reason; write it as {severity: off, reason: <why>} so reviewers see it"));
          } else {
            rules.put(id, new Setting(null, true, reason));
          }
        }
        default -> problems.add(new Finding("config.severity", Severity.ERROR, FILE, pointer, 0, 0,
            "rule " + id + ": severity '" + severity + "' is not error, warning or off"));
      }
    }
  }

  private static Finding cannotDemote(String id, String pointer) {
    return new Finding("config.cannotDemote", Severity.ERROR, FILE, pointer, 0, 0,
        "rule " + id + " is an error because notation or the consumer would refuse the revision; it cannot be demoted or switched off"
            + " (demotable: " + String.join(", ", DEMOTABLE) + ")");
  }

  private static Duration window(JsonNode node, List<Finding> problems) {
    Matcher m = DURATION.matcher(node.asText(""));
    if (!node.isTextual() || !m.matches()) {
      problems.add(new Finding("config.limit", Severity.ERROR, FILE, "/expiryWindow", 0, 0,
          "expiryWindow must be a number of days or hours, e.g. 30d or 720h"));
      return null;
    }
    long amount = Long.parseLong(m.group(1));
    return m.group(2).equals("d") ? Duration.ofDays(amount) : Duration.ofHours(amount);
  }

  private static Long maxBytes(JsonNode node, List<Finding> problems) {
    if (!node.canConvertToLong() || node.asLong() < 1024 || node.asLong() > MAX_FILE_BYTES_CAP) {
      problems.add(new Finding("config.limit", Severity.ERROR, FILE, "/maxFileBytes", 0, 0,
          "maxFileBytes must be a number of bytes from 1024 to " + MAX_FILE_BYTES_CAP + " (16 MiB)"));
      return null;
    }
    return node.asLong();
  }

  private static String suggestion(String given, Iterable<String> known) {
    String best = null;
    int distance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = EditDistance.between(given.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < distance) {
        distance = d;
        best = candidate;
      }
    }
    return best != null && distance <= Math.max(2, given.length() / 4) ? " (did you mean '" + best + "'?)" : "";
  }

  /** The options with this repository's window (the caller's limit on file size stays the caller's: the reader used it). */
  public ValidationOptions apply(ValidationOptions options) {
    return expiryWindow == null ? options : new ValidationOptions(options.now(), expiryWindow, options.maxFileBytes());
  }

  /** Findings with this repository's severities; suppressed ones go to {@code suppressed}. */
  public List<Finding> adjust(List<Finding> findings, List<Suppressed> suppressed) {
    List<Finding> adjusted = new ArrayList<>();
    for (Finding finding : findings) {
      Setting setting = rules.get(finding.ruleId());
      if (setting == null) {
        adjusted.add(finding);
      } else if (setting.off()) {
        suppressed.add(new Suppressed(finding, setting.reason()));
      } else if (setting.severity() != finding.severity()) {
        adjusted.add(finding.withSeverity(setting.severity(), FILE));
      } else {
        adjusted.add(finding);
      }
    }
    return adjusted;
  }
}
