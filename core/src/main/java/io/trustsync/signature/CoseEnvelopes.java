package io.trustsync.signature;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The COSE_Sign1 envelope as notation-core-go v1.3 signature/cose reads it on top of go-cose
 * v1.3 (sign1.go UnmarshalCBOR, headers.go validateHeaderParameters; notation's envelope.go
 * Verify, Content, parseProtectedHeaders, validateCritHeaders, parseTime): the tagged array
 * {@code 18([protected bstr, unprotected map, payload bstr, signature bstr])}; the protected
 * header a serialized map holding {@code alg} (1), {@code crit} (2), content type (3) and the
 * Notary Project's text labels, times as CBOR tag 1; the certificate chain an array of bstr under
 * x5chain (33) in the unprotected header.
 *
 * <p>The signature covers the Sig_structure {@code ["Signature1", protected, h'', payload]},
 * encoded here by hand with definite, shortest lengths (the protected bstr re-headed if it came
 * with a longer one, as go-cose's deterministicBinaryString does).
 */
final class CoseEnvelopes {
  private static final long ALG = 1;
  private static final long CRIT = 2;
  private static final long CONTENT_TYPE = 3;
  private static final long KID = 4;
  private static final long IV = 5;
  private static final long PARTIAL_IV = 6;
  private static final long COUNTER_SIGNATURE = 7;
  private static final long COUNTER_SIGNATURE_0 = 9;
  private static final long COUNTER_SIGNATURE_V2 = 11;
  private static final long COUNTER_SIGNATURE_0_V2 = 12;
  private static final long X5CHAIN = 33;
  private static final String EXPIRY = "io.cncf.notary.expiry";
  private static final String SIGNING_SCHEME = "io.cncf.notary.signingScheme";
  private static final String SIGNING_TIME = "io.cncf.notary.signingTime";
  private static final String AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime";
  private static final String SIGNING_AGENT = "io.cncf.notary.signingAgent";
  private static final String TIMESTAMP_SIGNATURE = "io.cncf.notary.timestampSignature";
  private static final List<Object> SYSTEM_HEADERS = List.of(ALG, CRIT, CONTENT_TYPE, EXPIRY, SIGNING_SCHEME, SIGNING_TIME, AUTHENTIC_SIGNING_TIME);

  private CoseEnvelopes() {}

  static NotationEnvelope parse(byte[] envelope) throws EnvelopeException {
    if (envelope.length < 2 || (envelope[0] & 0xff) != 0xd2 || (envelope[1] & 0xff) != 0x84) {
      throw new EnvelopeException("the COSE envelope is not a COSE_Sign1_Tagged object: it must start with tag 18 and an array of 4"
          + " (bytes d2 84)");
    }
    byte[] untagged = java.util.Arrays.copyOfRange(envelope, 1, envelope.length);
    List<?> message = (List<?>) Cbor.decode(untagged, false, "the COSE_Sign1 message");
    if (!(message.get(0) instanceof byte[] rawProtected)) {
      throw new EnvelopeException("the COSE protected header is not a byte string (bstr .cbor header_map)");
    }
    if (!(message.get(1) instanceof Map<?, ?> unprotected)) {
      throw new EnvelopeException("the COSE unprotected header is not a map");
    }
    if (message.get(2) == Cbor.NULL) {
      throw new EnvelopeException("the COSE payload is detached (nil); notation embeds it");
    }
    if (!(message.get(2) instanceof byte[] payload)) {
      throw new EnvelopeException("the COSE payload is not a byte string");
    }
    if (!(message.get(3) instanceof byte[] signature) || signature.length == 0) {
      throw new EnvelopeException("the COSE signature is missing or not a byte string");
    }
    Map<?, ?> protectedHeader = rawProtected.length == 0 ? Map.of() : protectedMap(rawProtected);
    validateHeaders(protectedHeader, true);
    validateHeaders(unprotected, false);
    if ((protectedHeader.containsKey(IV) && unprotected.containsKey(PARTIAL_IV))
        || (protectedHeader.containsKey(PARTIAL_IV) && unprotected.containsKey(IV))) {
      throw new EnvelopeException("the COSE headers hold both IV and Partial IV, which go-cose refuses");
    }

    // Verify(): the chain's leaf, then the protected alg (ensureVerificationAlgorithm).
    Object x5chain = unprotected.get(X5CHAIN);
    if (x5chain instanceof byte[]) {
      throw new EnvelopeException("certificate chain is not present: x5chain (label 33) is a single byte string; COSE allows that for one"
          + " certificate but notation-core-go v1.3 requires an array of certificates, so notation refuses this signature");
    }
    if (!(x5chain instanceof List<?> certs) || certs.isEmpty()) {
      throw new EnvelopeException("certificate chain is not present: the COSE unprotected header has no x5chain (label 33) array");
    }
    List<byte[]> ders = new ArrayList<>();
    for (Object cert : certs) {
      if (!(cert instanceof byte[] der)) {
        throw new EnvelopeException("COSE envelope malformed certificate chain: an x5chain (label 33) entry is not a byte string");
      }
      ders.add(der);
    }
    List<X509Certificate> chain = NotationEnvelope.certificates(ders, "the COSE x5chain (label 33)");
    Object algValue = protectedHeader.get(ALG);
    if (algValue == null) {
      throw new EnvelopeException("signature is invalid. Error: algorithm not found: the COSE protected header has no alg (label 1)");
    }
    if (!(algValue instanceof Long algLabel)) {
      throw new EnvelopeException("signature is invalid. Error: the COSE alg (label 1) is " + algValue + ", not an integer algorithm");
    }

    // Content(): content type, then the protected headers.
    Object cty = protectedHeader.get(CONTENT_TYPE);
    if (cty == null) {
      throw new EnvelopeException("missing content type (label 3) in the COSE protected header");
    }
    if (!(cty instanceof String contentType)) {
      throw new EnvelopeException("content type (label 3) in the COSE protected header should be of 'tstr' type");
    }
    // validateCritHeaders
    List<?> critical = protectedHeader.get(CRIT) instanceof List<?> list ? list : List.of();
    if (!(protectedHeader.get(SIGNING_SCHEME) instanceof String scheme)) {
      throw new EnvelopeException("invalid signingScheme: the COSE protected header \"" + SIGNING_SCHEME + "\" is missing or not a text");
    }
    Set<Object> mustBeCritical = new HashSet<>(List.of(SIGNING_SCHEME));
    if (scheme.equals(NotationEnvelope.SCHEME_SIGNING_AUTHORITY)) {
      mustBeCritical.add(AUTHENTIC_SIGNING_TIME);
    }
    if (protectedHeader.containsKey(EXPIRY)) {
      mustBeCritical.add(EXPIRY);
    }
    critical.forEach(mustBeCritical::remove);
    if (!mustBeCritical.isEmpty()) {
      throw new EnvelopeException("these required headers are not marked as critical: " + mustBeCritical);
    }
    SignatureAlgorithm algorithm = SignatureAlgorithm.ofCose(algLabel).orElseThrow(() -> new EnvelopeException(
        "signature algorithm not supported: " + algLabel + " (notation signs with -37/-38/-39 PS256/384/512 or -7/-35/-36 ES256/384/512)"));
    String timeLabel = switch (scheme) {
      case NotationEnvelope.SCHEME_X509 -> SIGNING_TIME;
      case NotationEnvelope.SCHEME_SIGNING_AUTHORITY -> AUTHENTIC_SIGNING_TIME;
      default -> throw new EnvelopeException("unsupported signingScheme: " + scheme + " (must be notary.x509 or notary.x509.signingAuthority)");
    };
    Instant signingTime = time(protectedHeader, timeLabel, "invalid signingTime");
    Instant expiry = protectedHeader.containsKey(EXPIRY) ? time(protectedHeader, EXPIRY, "invalid expiry") : null;
    if (!(protectedHeader.get(CRIT) instanceof List<?>)) {
      throw new EnvelopeException("invalid critical headers: the COSE protected header has no crit (label 2) array");
    }
    List<NotationEnvelope.Attribute> attributes = new ArrayList<>();
    for (Map.Entry<?, ?> entry : protectedHeader.entrySet()) {
      if (!SYSTEM_HEADERS.contains(entry.getKey())) {
        attributes.add(new NotationEnvelope.Attribute(entry.getKey(), critical.contains(entry.getKey()), entry.getValue()));
      }
    }
    String signingAgent = unprotected.get(SIGNING_AGENT) instanceof String agent ? agent : "";
    byte[] timestamp = unprotected.get(TIMESTAMP_SIGNATURE) instanceof byte[] token ? token : null;
    return new NotationEnvelope(SignatureFormat.COSE, algorithm, scheme, signingTime, expiry, contentType, payload, signature, chain,
        signingAgent, timestamp, attributes, sigStructure(rawProtected, payload));
  }

  /** ProtectedHeader.UnmarshalCBOR: a non-empty protected bstr holds a map, tags allowed (times are tag 1). */
  private static Map<?, ?> protectedMap(byte[] raw) throws EnvelopeException {
    if ((raw[0] & 0xff) >> 5 != 5) {
      throw new EnvelopeException("the COSE protected header does not hold a map");
    }
    if (!(Cbor.decode(raw, true, "the COSE protected header") instanceof Map<?, ?> map)) {
      throw new EnvelopeException("the COSE protected header does not hold a map");
    }
    return map;
  }

  /** go-cose validateHeaderParameters, for the labels a Notation envelope can hold. */
  private static void validateHeaders(Map<?, ?> header, boolean isProtected) throws EnvelopeException {
    String which = isProtected ? "protected" : "unprotected";
    for (Map.Entry<?, ?> entry : header.entrySet()) {
      Object label = entry.getKey();
      Object value = entry.getValue();
      if (!(label instanceof Long number)) {
        continue;
      }
      if (number == ALG && !(value instanceof Long) && !(value instanceof String)) {
        throw new EnvelopeException("COSE " + which + " header parameter alg: require int / tstr type");
      } else if (number == CRIT) {
        if (!isProtected) {
          throw new EnvelopeException("COSE unprotected header parameter crit: not allowed");
        }
        if (!(value instanceof List<?> labels) || labels.isEmpty()) {
          throw new EnvelopeException("COSE protected header parameter crit: must be a non-empty array");
        }
        for (Object critical : labels) {
          if (!(critical instanceof Long) && !(critical instanceof String)) {
            throw new EnvelopeException("COSE protected header parameter crit: require int / tstr type, got " + critical);
          }
          if (!header.containsKey(critical)) {
            throw new EnvelopeException("COSE protected header parameter crit: missing critical header: " + Cbor.describeKey(critical));
          }
        }
      } else if (number == CONTENT_TYPE) {
        if (value instanceof String text) {
          if (text.isEmpty() || text.startsWith(" ") || text.endsWith(" ") || text.chars().filter(c -> c == '/').count() != 1) {
            throw new EnvelopeException("COSE " + which + " header parameter content type: require text of form type/subtype");
          }
        } else if (!(value instanceof Long n) || n < 0) {
          throw new EnvelopeException("COSE " + which + " header parameter content type: require tstr / uint type");
        }
      } else if ((number == KID || number == IV || number == PARTIAL_IV) && !(value instanceof byte[])) {
        throw new EnvelopeException("COSE " + which + " header parameter " + number + ": require bstr type");
      } else if (number == IV && header.containsKey(PARTIAL_IV)) {
        throw new EnvelopeException("COSE " + which + " header parameters IV and PartialIV must not both be present");
      } else if (number == COUNTER_SIGNATURE || number == COUNTER_SIGNATURE_0 || number == COUNTER_SIGNATURE_V2
          || number == COUNTER_SIGNATURE_0_V2) {
        if (isProtected) {
          throw new EnvelopeException("COSE protected header parameter counter signature (" + number + "): not allowed");
        }
        if ((number == COUNTER_SIGNATURE_0 || number == COUNTER_SIGNATURE_0_V2) && !(value instanceof byte[])) {
          throw new EnvelopeException("COSE unprotected header parameter countersignature0: require bstr type");
        }
      }
    }
  }

  /** parseTime: the label must hold CBOR tag 1 (epoch-based date/time) over an int or a float. */
  private static Instant time(Map<?, ?> header, String label, String what) throws EnvelopeException {
    Object value = header.get(label);
    if (value == null) {
      throw new EnvelopeException(what + ": protected header \"" + label + "\" is missing");
    }
    if (!(value instanceof Cbor.Tagged tagged) || (tagged.tag() != 0 && tagged.tag() != 1)) {
      throw new EnvelopeException(what + ": invalid timeValue type: \"" + label + "\" must be a CBOR tag 1 date/time");
    }
    if (tagged.tag() != 1) {
      throw new EnvelopeException(what + ": only Tag `1` Datetime CBOR object is supported (\"" + label + "\" has tag 0)");
    }
    try {
      if (tagged.content() instanceof Long seconds) {
        return Instant.ofEpochSecond(seconds);
      }
      if (tagged.content() instanceof Double seconds && Double.isFinite(seconds)) {
        long whole = (long) Math.floor(seconds);
        return Instant.ofEpochSecond(whole, Math.round((seconds - whole) * 1e9));
      }
    } catch (java.time.DateTimeException | ArithmeticException e) {
      // out of range: as malformed
    }
    throw new EnvelopeException(what + ": \"" + label + "\" is tag 1 over " + tagged.content() + ", not seconds since the epoch");
  }

  /** CBOR of ["Signature1", protected, h'', payload] with definite, shortest heads. */
  static byte[] sigStructure(byte[] rawProtected, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(rawProtected.length + payload.length + 32);
    out.write(0x84);
    byte[] context = "Signature1".getBytes(StandardCharsets.US_ASCII);
    out.write(0x60 | context.length);
    out.writeBytes(context);
    out.writeBytes(Cbor.byteStringHead(rawProtected.length));
    out.writeBytes(rawProtected);
    out.write(0x40);
    out.writeBytes(Cbor.byteStringHead(payload.length));
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
