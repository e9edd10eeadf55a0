package io.trustsync.rendering;

import java.util.Locale;

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
    String lowered = joined.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-").replaceAll("-{2,}", "-");
    lowered = lowered.replaceAll("^[^a-z0-9]+", "").replaceAll("[^a-z0-9]+$", "");
    boolean lossy = !lowered.equals(joined);
    String name = lossy ? lowered + "-" + Ownership.sha256(joined).substring(0, 6) : lowered;
    if (name.length() > MAX) {
      name = name.substring(0, MAX - 7) + "-" + Ownership.sha256(joined).substring(0, 6);
    }
    return name;
  }
}
