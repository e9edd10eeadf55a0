package io.trustsync.trustpolicy;

import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * How a trusted identity is matched against a signing certificate, as notation-go does it: an
 * {@code x509.subject:} identity matches when each of its attributes (type compared without case,
 * {@code S} read as {@code ST}) has the same value in the certificate's subject; {@code *} matches
 * any certificate. Used by the gate's signer rules and by the signer audit, so both judge a
 * certificate the same way.
 */
public final class IdentityMatch {
  public static final String X509_SUBJECT = "x509.subject:";
  public static final String ANY = "*";

  private IdentityMatch() {}

  /**
   * A distinguished name as attribute type (upper case, S read as ST) to value, in the order the
   * name is written for notation (C first, CN last, for an RFC 2253 name); null when it is not a
   * parsable name.
   */
  public static Map<String, String> attributes(String dn) {
    try {
      Map<String, String> map = new LinkedHashMap<>();
      for (Rdn rdn : new LdapName(dn.trim()).getRdns()) {
        String type = rdn.getType().toUpperCase(Locale.ROOT);
        map.put(type.equals("S") ? "ST" : type, String.valueOf(rdn.getValue()));
      }
      return map;
    } catch (InvalidNameException | IllegalArgumentException e) {
      return null;
    }
  }

  /** The certificate's subject as {@link #attributes}; empty when it cannot be read. */
  public static Map<String, String> subject(X509Certificate certificate) {
    Map<String, String> subject = attributes(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
    return subject == null ? new LinkedHashMap<>() : subject;
  }

  /** The attributes an {@code x509.subject:} identity asks for; null for {@code *} and for anything unparsable. */
  public static Map<String, String> wanted(String identity) {
    return identity.startsWith(X509_SUBJECT) ? attributes(identity.substring(X509_SUBJECT.length())) : null;
  }

  /** Whether a certificate with {@code subject} satisfies the trusted identity ({@code *} or {@code x509.subject: ...}). */
  public static boolean matches(String identity, Map<String, String> subject) {
    if (identity.equals(ANY)) {
      return true;
    }
    return matches(wanted(identity), subject);
  }

  /** Whether every wanted attribute has the same value in {@code subject}; false when either is null. */
  public static boolean matches(Map<String, String> wanted, Map<String, String> subject) {
    return wanted != null && subject != null && subject.entrySet().containsAll(wanted.entrySet());
  }

  /**
   * Each attribute {@code wanted} names that {@code subject} lacks or holds with another value,
   * e.g. {@code OU=Finance in the policy vs no OU in the certificate}; {@code wantedBy} and
   * {@code heldBy} name the two sides ("the policy", "the certificate").
   */
  public static List<String> differences(Map<String, String> wanted, Map<String, String> subject, String wantedBy, String heldBy) {
    List<String> differences = new java.util.ArrayList<>();
    wanted.forEach((type, value) -> {
      String actual = subject.get(type);
      if (!value.equals(actual)) {
        differences.add(type + "=" + value + " in " + wantedBy + " vs " + (actual == null ? "no " + type + " in " + heldBy : type + "=" + actual));
      }
    });
    return differences;
  }

  /** An {@code x509.subject:} identity naming exactly these attributes, written as notation users write it. */
  public static String identity(Map<String, String> attributes) {
    StringBuilder dn = new StringBuilder(X509_SUBJECT);
    String separator = " ";
    for (Map.Entry<String, String> attribute : attributes.entrySet()) {
      dn.append(separator).append(attribute.getKey()).append('=').append(Rdn.escapeValue(attribute.getValue()));
      separator = ", ";
    }
    return dn.toString();
  }
}
