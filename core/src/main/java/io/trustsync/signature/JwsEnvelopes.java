package io.trustsync.signature;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.trustsync.json.GoKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JWS JSON flattened envelope as notation-core-go v1.3 signature/jws reads it (envelope.go
 * ParseEnvelope, Content; jws.go parseProtectedHeaders, populateProtectedHeaders,
 * validateCriticalHeaders; jwt.go verifyJWT's parsing). JSON objects decode like Go's
 * encoding/json into a struct: keys match field names case-insensitively, the last duplicate wins,
 * unknown keys are ignored. The signature covers {@code protected.payload} as written.
 */
final class JwsEnvelopes {
  private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");
  private static final String ALG = "alg";
  private static final String CTY = "cty";
  private static final String CRIT = "crit";
  private static final String EXPIRY = "io.cncf.notary.expiry";
  private static final String SIGNING_TIME = "io.cncf.notary.signingTime";
  private static final String SIGNING_SCHEME = "io.cncf.notary.signingScheme";
  private static final String AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime";
  private static final List<String> HEADER_KEYS = List.of(ALG, CTY, CRIT, EXPIRY, SIGNING_TIME, SIGNING_SCHEME, AUTHENTIC_SIGNING_TIME);

  private JwsEnvelopes() {}

  static NotationEnvelope parse(byte[] envelope) throws EnvelopeException {
    JsonNode root = json(envelope, "the JWS envelope");
    if (!root.isObject() && !root.isNull()) {
      throw new EnvelopeException("the JWS envelope is not a JSON object; notation writes the JWS JSON flattened serialization");
    }
    String protectedText = string(root, "protected", "the JWS envelope");
    String payloadText = string(root, "payload", "the JWS envelope");
    String signatureText = string(root, "signature", "the JWS envelope");
    JsonNode header = field(root, "header");
    List<byte[]> x5c = new ArrayList<>();
    String signingAgent = "";
    byte[] timestamp = null;
    if (header != null && !header.isNull()) {
      if (!header.isObject()) {
        throw new EnvelopeException("the JWS unprotected \"header\" is not a JSON object");
      }
      JsonNode chain = field(header, "x5c");
      if (chain != null && !chain.isNull()) {
        if (!chain.isArray()) {
          throw new EnvelopeException("the JWS header \"x5c\" is not an array of base64 DER certificates");
        }
        if (chain.size() > NotationEnvelope.MAX_CHAIN) {
          throw new EnvelopeException("the JWS header \"x5c\" has " + chain.size() + " certificates, more than the "
              + NotationEnvelope.MAX_CHAIN + " TrustSync reads");
        }
        for (JsonNode cert : chain) {
          x5c.add(cert.isNull() ? new byte[0] : standardBase64(cert, "a certificate of the JWS header \"x5c\""));
        }
      }
      signingAgent = string(header, "io.cncf.notary.signingAgent", "the JWS header");
      JsonNode stamp = field(header, "io.cncf.notary.timestampSignature");
      if (stamp != null && !stamp.isNull()) {
        timestamp = standardBase64(stamp, "the JWS header \"io.cncf.notary.timestampSignature\"");
      }
    }
    // Verify(): the chain's presence and leaf come first.
    List<X509Certificate> chain = NotationEnvelope.certificates(x5c, "the JWS header \"x5c\"");
    // verifyJWT: golang-jwt splits the compact form on '.', decodes the header as a JSON object
    // and the payload as JSON claims (an object), and wants a string "alg" it knows.
    if (protectedText.contains(".") || payloadText.contains(".")) {
      throw new EnvelopeException("signature is invalid. Error: token contains an invalid number of segments");
    }
    byte[] protectedBytes = rawUrlBase64(protectedText, "the JWS \"protected\" header");
    byte[] payload = rawUrlBase64(payloadText, "the JWS \"payload\"");
    JsonNode protectedJson = json(protectedBytes, "the JWS protected header");
    JsonNode claims = json(payload, "the JWS payload");
    if (!claims.isObject()) {
      throw new EnvelopeException("signature is invalid. Error: the JWS payload is not a JSON object");
    }
    if (!protectedJson.isObject()) {
      throw new EnvelopeException("the JWS protected header is not a JSON object");
    }
    JsonNode exactAlg = protectedJson.get(ALG);
    if (exactAlg == null || !exactAlg.isTextual()) {
      throw new EnvelopeException("signature is invalid. Error: signing method (alg) is unspecified.");
    }
    if (SignatureAlgorithm.ofJws(exactAlg.asText()).isEmpty()) {
      throw new EnvelopeException("signature is invalid. Error: signing method " + exactAlg.asText()
          + " is invalid; notation signs with PS256, PS384, PS512, ES256, ES384 or ES512");
    }
    byte[] signature = rawUrlBase64(signatureText, "the JWS \"signature\"");

    // parseProtectedHeaders: the struct fields, then every key as an extended attribute less the
    // Notary Project's own (removed by their exact spelling).
    String alg = string(protectedJson, ALG, "the JWS protected header");
    String cty = string(protectedJson, CTY, "the JWS protected header");
    List<String> crit = strings(protectedJson, CRIT);
    Instant expiry = time(protectedJson, EXPIRY);
    String scheme = string(protectedJson, SIGNING_SCHEME, "the JWS protected header");
    Instant signingTime = time(protectedJson, SIGNING_TIME);
    Instant authenticSigningTime = time(protectedJson, AUTHENTIC_SIGNING_TIME);
    Map<String, JsonNode> extended = new java.util.LinkedHashMap<>();
    protectedJson.properties().forEach(e -> extended.put(e.getKey(), e.getValue()));
    HEADER_KEYS.forEach(extended::remove);

    // validateProtectedHeaders
    Instant time;
    switch (scheme) {
      case NotationEnvelope.SCHEME_X509 -> {
        if (authenticSigningTime != null) {
          throw new EnvelopeException("\"" + AUTHENTIC_SIGNING_TIME + "\" header must not be present for notary.x509 signing scheme");
        }
        time = signingTime;
      }
      case NotationEnvelope.SCHEME_SIGNING_AUTHORITY -> {
        if (signingTime != null) {
          throw new EnvelopeException("\"" + SIGNING_TIME + "\" header must not be present for notary.x509.signingAuthority signing scheme");
        }
        if (authenticSigningTime == null) {
          throw new EnvelopeException("\"" + AUTHENTIC_SIGNING_TIME + "\" header must be present for notary.x509.signingAuthority signing scheme");
        }
        time = authenticSigningTime;
      }
      default -> throw new EnvelopeException("unsupported SigningScheme: `" + scheme + "` (the JWS protected header \"" + SIGNING_SCHEME
          + "\" must be notary.x509 or notary.x509.signingAuthority)");
    }
    // validateCriticalHeaders
    if (crit.isEmpty()) {
      throw new EnvelopeException("missing \"crit\" header in the JWS protected header");
    }
    Set<String> mustBeCritical = new HashSet<>(List.of(SIGNING_SCHEME));
    if (expiry != null && expiry.equals(GO_ZERO_TIME)) {
      expiry = null; // Go's zero time.Time: no expiry
    }
    if (expiry != null) {
      mustBeCritical.add(EXPIRY);
    }
    if (scheme.equals(NotationEnvelope.SCHEME_SIGNING_AUTHORITY)) {
      mustBeCritical.add(AUTHENTIC_SIGNING_TIME);
    }
    for (String critical : crit) {
      if (!mustBeCritical.remove(critical) && !extended.containsKey(critical)) {
        throw new EnvelopeException("\"" + critical + "\" header is marked critical but not present");
      }
    }
    if (!mustBeCritical.isEmpty()) {
      throw new EnvelopeException("these required headers are not marked as critical: " + mustBeCritical);
    }
    SignatureAlgorithm algorithm = SignatureAlgorithm.ofJws(alg).orElseThrow(() -> new EnvelopeException(
        "signature algorithm \"" + alg + "\" is not supported"));
    if (time == null || time.equals(GO_ZERO_TIME)) {
      throw new EnvelopeException("signing-time not present in the JWS protected header");
    }
    List<NotationEnvelope.Attribute> attributes = new ArrayList<>();
    extended.forEach((key, value) -> attributes.add(new NotationEnvelope.Attribute(key, crit.contains(key), value.isTextual() ? value.asText() : value)));
    byte[] signed = (protectedText + "." + payloadText).getBytes(StandardCharsets.US_ASCII);
    return new NotationEnvelope(SignatureFormat.JWS, algorithm, scheme, time, expiry, cty, payload, signature, chain, signingAgent, timestamp,
        attributes, signed);
  }

  private static JsonNode json(byte[] bytes, String what) throws EnvelopeException {
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new EnvelopeException(what + " is empty");
      }
      return node;
    } catch (java.io.IOException e) {
      String message = e.getMessage() == null ? "unreadable" : e.getMessage().lines().findFirst().orElse("");
      throw new EnvelopeException(what + " is not valid JSON (" + message + ")");
    }
  }

  /** The value of Go struct field {@code name} in {@code object}: the last key equal to it ignoring case, or null. */
  static JsonNode field(JsonNode object, String name) {
    if (object == null || !object.isObject()) {
      return null;
    }
    JsonNode found = null;
    String folded = GoKeys.fold(name);
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      if (entry.getKey().equals(name) || GoKeys.fold(entry.getKey()).equals(folded)) {
        found = entry.getValue();
      }
    }
    return found;
  }

  /** A Go string field: absent or null is "", anything but a string is an error. */
  private static String string(JsonNode object, String name, String where) throws EnvelopeException {
    JsonNode value = field(object, name);
    if (value == null || value.isNull()) {
      return "";
    }
    if (!value.isTextual()) {
      throw new EnvelopeException("\"" + name + "\" in " + where + " is not a string");
    }
    return value.asText();
  }

  private static List<String> strings(JsonNode object, String name) throws EnvelopeException {
    JsonNode value = field(object, name);
    List<String> out = new ArrayList<>();
    if (value == null || value.isNull()) {
      return out;
    }
    if (!value.isArray()) {
      throw new EnvelopeException("\"" + name + "\" in the JWS protected header is not an array of strings");
    }
    for (JsonNode item : value) {
      if (!item.isTextual() && !item.isNull()) {
        throw new EnvelopeException("\"" + name + "\" in the JWS protected header is not an array of strings");
      }
      out.add(item.isNull() ? "" : item.asText());
    }
    return out;
  }

  /** A Go *time.Time field: absent or null is none, else an RFC 3339 string. */
  private static Instant time(JsonNode object, String name) throws EnvelopeException {
    JsonNode value = field(object, name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new EnvelopeException("\"" + name + "\" in the JWS protected header is not an RFC 3339 time string");
    }
    try {
      return OffsetDateTime.parse(value.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new EnvelopeException("\"" + name + "\" in the JWS protected header is not an RFC 3339 time: \"" + value.asText() + "\"");
    }
  }

  /** Go's base64.RawURLEncoding as golang-jwt and notation decode: no padding, CR and LF ignored. */
  private static byte[] rawUrlBase64(String text, String what) throws EnvelopeException {
    String cleaned = text.replace("\r", "").replace("\n", "");
    if (cleaned.contains("=") || cleaned.length() % 4 == 1) {
      throw new EnvelopeException(what + " is not unpadded base64url");
    }
    try {
      return Base64.getUrlDecoder().decode(cleaned);
    } catch (IllegalArgumentException e) {
      throw new EnvelopeException(what + " is not unpadded base64url (" + e.getMessage() + ")");
    }
  }

  /** Go's encoding/json []byte: standard base64 with padding, CR and LF ignored. */
  private static byte[] standardBase64(JsonNode value, String what) throws EnvelopeException {
    if (!value.isTextual()) {
      throw new EnvelopeException(what + " is not a base64 string");
    }
    String cleaned = value.asText().replace("\r", "").replace("\n", "");
    if (cleaned.length() % 4 != 0) {
      throw new EnvelopeException(what + " is not padded standard base64");
    }
    try {
      return Base64.getDecoder().decode(cleaned);
    } catch (IllegalArgumentException e) {
      throw new EnvelopeException(what + " is not standard base64 (" + e.getMessage() + ")");
    }
  }

}
