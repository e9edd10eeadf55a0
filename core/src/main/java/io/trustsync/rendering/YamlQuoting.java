package io.trustsync.rendering;

import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which strings {@link ManifestWriter} may write without quotes: only those that every YAML
 * reader (1.1 like SnakeYAML and PyYAML, 1.2 like Go's, which kubectl uses) resolves to the same
 * string. A plain scalar survives only if it starts with a letter, holds nothing but letters,
 * digits and {@code . _ / -}, and is not one of YAML 1.1's booleans or nulls. Everything else is
 * double-quoted: numbers in any base ({@code 0o17}, {@code 0x1F}), dates ({@code 2026-12-01}),
 * base-60 times ({@code 12:30:00}), the merge key {@code <<}, the value key {@code =},
 * {@code yes}, {@code null}, the empty string and anything with spaces or punctuation.
 */
final class YamlQuoting extends StringQuotingChecker {
  private static final long serialVersionUID = 1L;
  static final YamlQuoting INSTANCE = new YamlQuoting();

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z][A-Za-z0-9._/-]*");
  /** YAML 1.1's boolean and null spellings (1.2 has only true/false/null; 1.1 readers still abound). */
  private static final Set<String> KEYWORDS = Set.of(
      "y", "yes", "n", "no", "true", "false", "on", "off", "null");

  @Override
  public boolean needToQuoteName(String name) {
    return !plain(name);
  }

  @Override
  public boolean needToQuoteValue(String value) {
    return !plain(value);
  }

  static boolean plain(String text) {
    return PLAIN.matcher(text).matches() && !KEYWORDS.contains(text.toLowerCase(java.util.Locale.ROOT));
  }
}
