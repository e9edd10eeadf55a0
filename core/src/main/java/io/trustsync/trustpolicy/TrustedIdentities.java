package io.trustsync.trustpolicy;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * How notation-go v1.3 matches a statement's {@code trustedIdentities} against the leaf
 * certificate of a signature (verifier/verifier.go {@code verifyX509TrustedIdentities}): "*"
 * matches any signer; every {@code x509.subject:} identity is parsed with
 * {@link DistinguishedName#parse}; the leaf's subject is turned into text as Go's
 * {@code pkix.Name.String()} writes it and parsed the same way (so a subject without C, ST and O,
 * with a repeated attribute or with an attribute Go has no name for, matches nothing); an identity
 * matches when each of its attributes has the same value in the subject (pkix.IsSubsetDN).
 *
 * <p>The signer rules (validation) and the signature verifier share this, so the gate predicts
 * exactly what verification will decide.
 */
public final class TrustedIdentities {
  public static final String WILDCARD = "*";
  private static final String X509_SUBJECT = "x509.subject";

  // crypto/x509/pkix attributeTypeNames, in the order Name.ToRDNSequence appends its fields.
  private static final Map<String, String> GO_NAMES = new LinkedHashMap<>();

  static {
    GO_NAMES.put("2.5.4.6", "C");
    GO_NAMES.put("2.5.4.8", "ST");
    GO_NAMES.put("2.5.4.7", "L");
    GO_NAMES.put("2.5.4.9", "STREET");
    GO_NAMES.put("2.5.4.17", "POSTALCODE");
    GO_NAMES.put("2.5.4.10", "O");
    GO_NAMES.put("2.5.4.11", "OU");
    GO_NAMES.put("2.5.4.3", "CN");
    GO_NAMES.put("2.5.4.5", "SERIALNUMBER");
  }

  private TrustedIdentities() {}

  /**
   * Why {@code leaf} satisfies none of {@code identities}, in notation's words, or empty when one
   * matches. {@code statement} names the trust policy statement in the messages.
   */
  public static Optional<String> mismatch(String statement, List<String> identities, X509Certificate leaf) {
    if (identities.contains(WILDCARD)) {
      return Optional.empty();
    }
    List<DistinguishedName> wanted = new ArrayList<>();
    for (String identity : identities) {
      int colon = identity.indexOf(':');
      if (colon < 0) {
        return Optional.of("trust policy statement \"" + statement + "\" has trusted identity \"" + identity
            + "\" missing separator; write it as \"x509.subject: <distinguished name>\" or \"*\"");
      }
      if (!identity.substring(0, colon).equals(X509_SUBJECT)) {
        continue; // other identity types are a verification plugin's business
      }
      String value = identity.substring(colon + 1);
      if (value.isEmpty()) {
        return Optional.of("trust policy statement \"" + statement + "\" has trusted identity \"" + identity + "\" without an identity value");
      }
      switch (DistinguishedName.parse(value)) {
        case DistinguishedName.Parsed parsed -> wanted.add(parsed.name());
        case DistinguishedName.Invalid invalid -> {
          return Optional.of("trusted identity \"" + identity + "\" of statement \"" + statement + "\" is not usable: " + invalid.reason());
        }
      }
    }
    if (wanted.isEmpty()) {
      return Optional.of("no x509 trusted identities are configured in the trust policy statement \"" + statement
          + "\"; add the signer's \"x509.subject: ...\" or \"*\"");
    }
    String subject = goSubject(leaf);
    DistinguishedName actual;
    switch (DistinguishedName.parse(subject)) {
      case DistinguishedName.Parsed parsed -> actual = parsed.name();
      case DistinguishedName.Invalid invalid -> {
        return Optional.of("the signing certificate's subject \"" + subject + "\" cannot be matched by any x509.subject identity: "
            + invalid.reason());
      }
    }
    List<String> closest = null;
    for (DistinguishedName name : wanted) {
      if (name.isSubsetOf(actual)) {
        return Optional.empty();
      }
      List<String> differences = new ArrayList<>();
      name.attributes().forEach((type, value) -> {
        String has = actual.attributes().get(type);
        if (!value.equals(has)) {
          differences.add(type + "=" + value + " (the certificate has " + (has == null ? "no " + type : type + "=" + has) + ")");
        }
      });
      if (closest == null || differences.size() < closest.size()) {
        closest = differences;
      }
    }
    return Optional.of("signing certificate from the digital signature does not match the X.509 trusted identities of statement \""
        + statement + "\": the closest identity wants " + String.join(", ", closest) + " in the subject \"" + subject
        + "\"; copy the signing certificate's subject attributes into trustedIdentities");
  }

  /** Whether one trusted identity ("*" or {@code x509.subject: ...}) matches {@code leaf}. */
  public static boolean matches(String identity, X509Certificate leaf) {
    return mismatch("", List.of(identity), leaf).isEmpty();
  }

  /**
   * The subject as Go's {@code pkix.Name.String()} writes it after crypto/x509 parsed it: every
   * value of the nine named attribute types, grouped by type into one (multi-valued) RDN each;
   * any other attribute as {@code OID=#<DER hex>} (which pkix.ParseDistinguishedName then
   * refuses); RDNs last to first; RFC 2253 escaping.
   */
  public static String goSubject(X509Certificate certificate) {
    X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    Map<String, List<String>> named = new LinkedHashMap<>();
    GO_NAMES.values().forEach(type -> named.put(type, new ArrayList<>()));
    List<String> others = new ArrayList<>();
    for (RDN rdn : name.getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        ASN1ObjectIdentifier oid = atv.getType();
        String type = GO_NAMES.get(oid.getId());
        ASN1Encodable value = atv.getValue();
        if (type == null) {
          others.add(oid.getId() + "=#" + hex(value));
        } else if (value instanceof ASN1String text) {
          named.get(type).add(text.getString());
        }
      }
    }
    List<String> rdns = new ArrayList<>(others);
    named.forEach((type, values) -> {
      if (!values.isEmpty()) {
        rdns.add(String.join("+", values.stream().map(v -> type + "=" + escape(v)).toList()));
      }
    });
    return String.join(",", rdns.reversed());
  }

  private static String hex(ASN1Encodable value) {
    try {
      StringBuilder out = new StringBuilder();
      for (byte b : value.toASN1Primitive().getEncoded()) {
        out.append(String.format("%02x", b & 0xff));
      }
      return out.toString();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** crypto/x509/pkix RDNSequence.String escaping. */
  private static String escape(String value) {
    StringBuilder out = new StringBuilder();
    int[] codePoints = value.codePoints().toArray();
    for (int k = 0; k < codePoints.length; k++) {
      int c = codePoints[k];
      if (",+\"\\<>;".indexOf(c) >= 0 || (k == 0 && (c == ' ' || c == '#')) || (k == codePoints.length - 1 && c == ' ')) {
        out.append('\\');
      }
      out.appendCodePoint(c);
    }
    return out.toString();
  }
}
