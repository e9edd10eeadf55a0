package io.trustsync.operator.shared;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Kubernetes users write them: "30s", "5m", "1h30m", "250ms". */
public final class GoDuration {
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)");

  private GoDuration() {}

  public static Duration parse(String text, Duration fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    Matcher m = PART.matcher(text.trim());
    long millis = 0;
    int end = 0;
    while (m.find() && m.start() == end) {
      double value = Double.parseDouble(m.group(1));
      millis += (long) (value * switch (m.group(2)) {
        case "ms" -> 1;
        case "s" -> 1_000;
        case "m" -> 60_000;
        case "h" -> 3_600_000;
        default -> 86_400_000; // d: not Go's, but how a warn period is said
      });
      end = m.end();
    }
    if (end != text.trim().length() || end == 0) {
      throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 30s, 5m, 1h30m or 14d");
    }
    return Duration.ofMillis(millis);
  }
}
