package io.trustsync.source;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semver range as npm and Flux write them: {@code 1.2.3}, {@code >=1.0.0 <2.0.0},
 * {@code ^1.2}, {@code ~1.2.3}, {@code 1.x}, {@code *}, alternatives joined by {@code ||}.
 * Space-separated comparators must all hold. Pre-release versions match only a comparator that
 * names a pre-release of the same major.minor.patch, as in npm, so {@code ^1.0} never picks an
 * {@code -rc} tag by surprise.
 */
public final class SemverRange {

  private enum Op { EQ, GT, GE, LT, LE }

  private record Comparison(Op op, SemanticVersion version) {
    boolean test(SemanticVersion v) {
      int c = v.compareTo(version);
      return switch (op) {
        case EQ -> c == 0;
        case GT -> c > 0;
        case GE -> c >= 0;
        case LT -> c < 0;
        case LE -> c <= 0;
      };
    }
  }

  private static final Pattern COMPARATOR = Pattern.compile(
      "(\\^|~|>=|<=|>|<|=)?v?(\\d+|[xX*])?(?:\\.(\\d+|[xX*]))?(?:\\.(\\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?");

  private final String text;
  private final List<List<Comparison>> alternatives;

  private SemverRange(String text, List<List<Comparison>> alternatives) {
    this.text = text;
    this.alternatives = alternatives;
  }

  public static SemverRange parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("semver range is empty");
    }
    List<List<Comparison>> alternatives = new ArrayList<>();
    for (String alternative : text.split("\\|\\|")) {
      List<Comparison> all = new ArrayList<>();
      // ">= 1.0" is written with a space now and then: glue operators to their version
      String glued = alternative.trim().replaceAll("(\\^|~|>=|<=|>|<|=)\\s+", "$1");
      for (String token : glued.split("\\s+")) {
        if (!token.isEmpty()) {
          all.addAll(comparisons(token, text));
        }
      }
      alternatives.add(all);
    }
    return new SemverRange(text, List.copyOf(alternatives));
  }

  public boolean matches(SemanticVersion version) {
    for (List<Comparison> all : alternatives) {
      boolean allowedPreRelease = !version.isPreRelease() || all.stream()
          .anyMatch(c -> c.version().isPreRelease() && c.version().sameCore(version));
      if (allowedPreRelease && all.stream().allMatch(c -> c.test(version))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return text;
  }

  private static List<Comparison> comparisons(String token, String range) {
    Matcher m = COMPARATOR.matcher(token);
    if (!m.matches() || (m.group(2) == null && m.group(1) != null)) {
      throw new IllegalArgumentException("semver range '" + range + "' has an unreadable part '" + token + "'");
    }
    String op = m.group(1) == null ? "=" : m.group(1);
    int[] parts = new int[3];
    int given = 0; // how many leading numbers are given; 1.x and 1 both give one
    for (int i = 0; i < 3; i++) {
      String part = m.group(i + 2);
      if (part == null || part.matches("[xX*]")) {
        break;
      }
      parts[i] = Integer.parseInt(part);
      given++;
    }
    String pre = given == 3 ? m.group(5) : null;
    SemanticVersion low = new SemanticVersion(parts[0], parts[1], parts[2], pre);
    SemanticVersion nextMajor = new SemanticVersion(parts[0] + 1, 0, 0, "0");
    SemanticVersion nextMinor = new SemanticVersion(parts[0], parts[1] + 1, 0, "0");
    SemanticVersion nextPatch = new SemanticVersion(parts[0], parts[1], parts[2] + 1, "0");
    // upper bounds use "-0", the lowest pre-release, so <2.0.0-0 also excludes 2.0.0-rc.1
    SemanticVersion partialEnd = given == 1 ? nextMajor : nextMinor;
    if (given == 0) {
      return List.of(); // "*", "x", ">=x": any version
    }
    return switch (op) {
      case "=" -> given == 3 ? List.of(new Comparison(Op.EQ, low))
          : List.of(new Comparison(Op.GE, low), new Comparison(Op.LT, partialEnd));
      case "^" -> List.of(new Comparison(Op.GE, low), new Comparison(Op.LT,
          parts[0] > 0 || given == 1 ? nextMajor : parts[1] > 0 || given == 2 ? nextMinor : nextPatch));
      case "~" -> List.of(new Comparison(Op.GE, low), new Comparison(Op.LT, partialEnd));
      case ">=" -> List.of(new Comparison(Op.GE, low));
      case ">" -> given == 3 ? List.of(new Comparison(Op.GT, low)) : List.of(new Comparison(Op.GE, partialEnd));
      case "<" -> List.of(new Comparison(Op.LT, given == 3 ? low : new SemanticVersion(parts[0], parts[1], 0, "0")));
      case "<=" -> given == 3 ? List.of(new Comparison(Op.LE, low)) : List.of(new Comparison(Op.LT, partialEnd));
      default -> throw new IllegalStateException(op);
    };
  }
}
