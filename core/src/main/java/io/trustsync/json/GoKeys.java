package io.trustsync.json;

/** How Go's encoding/json matches an object key to a struct field. */
public final class GoKeys {
  private GoKeys() {}

  /**
   * Go's key folding (bytes.EqualFold, as encoding/json's foldName applies it) for keys compared
   * with ASCII field names: ASCII case, plus the two non-ASCII letters that fold to ASCII ones.
   */
  public static String fold(String key) {
    StringBuilder folded = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      folded.append(switch (c) {
        case '\u017F' -> 's'; // LATIN SMALL LETTER LONG S
        case '\u212A' -> 'k'; // KELVIN SIGN
        default -> c < 0x80 ? Character.toLowerCase(c) : c;
      });
    }
    return folded.toString();
  }
}
