package io.trustsync.rendering;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Kubernetes object names for rendered resources. Notation store names allow upper case and '_',
 * Kubernetes names do not; when the mapping loses information a short hash of the original keeps
 * names distinct ({@code GlobalSign} and {@code globalsign} must not collide).
 */
public final class ObjectNames {
  private static final int MAX = 253;

  private ObjectNames() {}

  public static String of(String... parts) {
    String joined = String.join("-", parts);
    // Every dot-separated label must start and end with a letter or digit: a lone '.' stays a label
    // separator, any other run of other characters ("_", "--", ".-", "..") becomes one '-'.
    String lowered = SEPARATORS.matcher(joined.toLowerCase(Locale.ROOT)).replaceAll(run -> run.group().equals(".") ? "." : "-");
    lowered = trimmed(lowered);
    boolean lossy = !lowered.equals(joined);
    String name = lossy ? lowered + "-" + Ownership.sha256(joined).substring(0, 6) : lowered;
    if (name.length() > MAX) {
      name = trimmed(name.substring(0, MAX - 7)) + "-" + Ownership.sha256(joined).substring(0, 6);
    }
    return name;
  }

  private static final Pattern SEPARATORS = Pattern.compile("[^a-z0-9]+");

  private static String trimmed(String name) {
    return name.replaceAll("^[^a-z0-9]+", "").replaceAll("[^a-z0-9]+$", "");
  }
}
