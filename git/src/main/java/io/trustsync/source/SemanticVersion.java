package io.trustsync.source;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A semver 2.0 version read from a tag such as {@code v1.4.0}; build metadata is ignored. */
public record SemanticVersion(int major, int minor, int patch, String preRelease)
    implements Comparable<SemanticVersion> {

  private static final Pattern TAG =
      Pattern.compile("v?(\\d{1,9})\\.(\\d{1,9})\\.(\\d{1,9})(?:-([0-9A-Za-z.-]+))?(?:\\+[0-9A-Za-z.-]+)?");

  public static Optional<SemanticVersion> fromTag(String tag) {
    Matcher m = TAG.matcher(tag);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new SemanticVersion(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), m.group(4)));
  }

  public boolean isPreRelease() {
    return preRelease != null;
  }

  boolean sameCore(SemanticVersion other) {
    return major == other.major && minor == other.minor && patch == other.patch;
  }

  @Override
  public int compareTo(SemanticVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) c = Integer.compare(minor, o.minor);
    if (c == 0) c = Integer.compare(patch, o.patch);
    if (c != 0) return c;
    if (preRelease == null || o.preRelease == null) {
      // a release sorts after its pre-releases: 1.0.0-rc.1 < 1.0.0
      return preRelease == null ? (o.preRelease == null ? 0 : 1) : -1;
    }
    return comparePreRelease(preRelease, o.preRelease);
  }

  private static int comparePreRelease(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      boolean xNum = x[i].matches("\\d+");
      boolean yNum = y[i].matches("\\d+");
      int c = xNum && yNum ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]))
          : xNum ? -1 : yNum ? 1 : x[i].compareTo(y[i]);
      if (c != 0) return c;
    }
    return Integer.compare(x.length, y.length);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (preRelease == null ? "" : "-" + preRelease);
  }
}
