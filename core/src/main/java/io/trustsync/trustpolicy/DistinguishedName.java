package io.trustsync.trustpolicy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * An X.509 subject distinguished name as notation-go reads an {@code x509.subject:} trusted
 * identity: internal/pkix.ParseDistinguishedName on top of go-ldap v3 ParseDN.
 *
 * <p>The attributes map RDN attribute type (as written, case-sensitive, with {@code S} read as
 * {@code ST}) to its unescaped value, in the order they appear.
 */
public record DistinguishedName(SequencedMap<String, String> attributes) {
  private static final List<String> MANDATORY = List.of("C", "ST", "O");

  public DistinguishedName {
    attributes = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(attributes));
  }

  /** What {@link #parse} found: a name, or why notation-go rejects the text. */
  public sealed interface Result permits Parsed, Invalid {}

  public record Parsed(DistinguishedName name) implements Result {}

  public record Invalid(String reason) implements Result {}

  /** Parses {@code text} (the part after {@code x509.subject:}) with notation-go's verdict. */
  public static Result parse(String text) {
    // pkix.ParseDistinguishedName refuses "=#" before parsing: go-ldap would BER-decode a hex value.
    if (text.contains("=#")) {
      return new Invalid("it contains \"=#\" (a hex-encoded value), which notation does not support; write the value as text");
    }
    List<List<String[]>> rdns;
    try {
      rdns = ldapParse(text);
    } catch (IllegalArgumentException e) {
      return new Invalid("it is not an RFC 4514 distinguished name (" + e.getMessage()
          + "); write it like \"C=US, ST=WA, O=Example Corp, CN=Signer\", escaping ',', '+', ';', '\\' and '=' in values with '\\'");
    }
    SequencedMap<String, String> attributes = new LinkedHashMap<>();
    for (List<String[]> rdn : rdns) {
      if (rdn.size() > 1) {
        return new Invalid("it has a multi-valued RDN (attributes joined with '+'), which notation does not support; "
            + "separate the attributes with ',' or escape a literal '+' as '\\+'");
      }
      String type = rdn.getFirst()[0];
      String value = rdn.getFirst()[1];
      // "S" is an alias of "ST" since notation-go v1.2 (notation-go#432), so "S=WA, ST=WA" is a duplicate.
      if (type.equals("S")) {
        type = "ST";
      }
      // Go tests the stored value for "": an earlier empty value may be repeated.
      if (!attributes.getOrDefault(type, "").isEmpty()) {
        return new Invalid("the attribute '" + type + "' appears more than once (S and ST are the same attribute); keep one");
      }
      attributes.put(type, value);
    }
    for (String field : MANDATORY) {
      if (attributes.getOrDefault(field, "").isEmpty()) {
        return new Invalid("it has no '" + field + "' attribute; notation requires C, ST (or S) and O (attribute types are case-sensitive)");
      }
    }
    return new Parsed(new DistinguishedName(attributes));
  }

  /**
   * Whether every attribute of this name has the same value in {@code other} (pkix.IsSubsetDN): a
   * certificate matching {@code other} then also matches this name.
   */
  public boolean isSubsetOf(DistinguishedName other) {
    return attributes.entrySet().stream()
        .allMatch(e -> e.getValue().equals(other.attributes.getOrDefault(e.getKey(), "")));
  }

  /**
   * go-ldap v3.4 ParseDN: split on unescaped ',' ';' (RDN) and '+' (multi-valued RDN); the first
   * unescaped '=' ends the type; types and values are trimmed of unescaped spaces and unescaped.
   * Returns each RDN as a list of {type, value} pairs. A blank text is an empty name.
   */
  static List<List<String[]>> ldapParse(String text) {
    List<List<String[]>> rdns = new ArrayList<>();
    if (text.isBlank()) {
      return rdns;
    }
    List<String[]> rdn = new ArrayList<>();
    String type = "";
    int start = 0;
    boolean escaping = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (escaping) {
        escaping = false;
      } else if (c == '\\') {
        escaping = true;
      } else if (c == '=' && type.isEmpty()) {
        type = unescape(text.substring(start, i));
        start = i + 1;
      } else if (c == ',' || c == '+' || c == ';') {
        if (type.isEmpty()) {
          throw new IllegalArgumentException("incomplete type, value pair");
        }
        rdn.add(new String[] {type, unescape(text.substring(start, i))});
        type = "";
        start = i + 1;
        if (c != '+') {
          rdns.add(rdn);
          rdn = new ArrayList<>();
        }
      }
    }
    if (type.isEmpty()) {
      throw new IllegalArgumentException("DN ended with incomplete type, value pair");
    }
    rdn.add(new String[] {type, unescape(text.substring(start))});
    rdns.add(rdn);
    return rdns;
  }

  /** go-ldap decodeString: trim unescaped spaces, then resolve "\c" and "\XX" (hex byte) escapes. */
  private static String unescape(String raw) {
    String s = stripSpaces(raw);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int[] codePoints = s.codePoints().toArray();
    for (int i = 0; i < codePoints.length; i++) {
      int c = codePoints[i];
      if (c != '\\') {
        bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      if (i + 1 >= codePoints.length) {
        throw new IllegalArgumentException("got corrupted escaped character");
      }
      int next = codePoints[i + 1];
      if (" \"#+,;<=>\\".indexOf(next) >= 0) {
        bytes.write(next);
        i++;
        continue;
      }
      if (i + 2 >= codePoints.length) {
        throw new IllegalArgumentException("failed to decode escaped character \\" + Character.toString(next));
      }
      int high = Character.digit(codePoints[i + 1], 16);
      int low = Character.digit(codePoints[i + 2], 16);
      // Character.digit accepts non-ASCII digits; Go's hex decoder only ASCII ones.
      if (codePoints[i + 1] > 0x7F || codePoints[i + 2] > 0x7F || high < 0 || low < 0) {
        throw new IllegalArgumentException("failed to decode escaped character \\"
            + Character.toString(codePoints[i + 1]) + Character.toString(codePoints[i + 2]));
      }
      bytes.write(high * 16 + low);
      i += 2;
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** strings.Trim(s, " "), keeping a trailing space that was escaped. */
  private static String stripSpaces(String raw) {
    int from = 0;
    int to = raw.length();
    while (from < to && raw.charAt(from) == ' ') {
      from++;
    }
    while (to > from && raw.charAt(to - 1) == ' ') {
      to--;
    }
    String trimmed = raw.substring(from, to);
    if (!trimmed.isEmpty() && trimmed.endsWith("\\") && raw.endsWith(" ")) {
      return trimmed + " ";
    }
    return trimmed;
  }
}
