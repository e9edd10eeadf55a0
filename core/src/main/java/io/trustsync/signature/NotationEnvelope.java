package io.trustsync.signature;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A Notary Project signature envelope read the way notation-core-go v1.3 reads it
 * (signature/jws and signature/cose {@code ParseEnvelope} and {@code Content}, then
 * signature/internal/base {@code validateEnvelopeContent} without the certificate checks): the
 * signed attributes, the payload, the certificate chain leaf first, and the bytes the signature
 * covers. Parsing trusts nothing yet: {@link #integrityProblem()} says whether the signature and
 * its chain hold.
 *
 * @param signingScheme {@code notary.x509} or {@code notary.x509.signingAuthority}
 * @param signingTime the signing time ({@code io.cncf.notary.signingTime}, or the authentic one
 *     {@code io.cncf.notary.authenticSigningTime} under the signing authority scheme)
 * @param expiry the signer's {@code io.cncf.notary.expiry}, or null
 * @param signingAgent the unprotected {@code io.cncf.notary.signingAgent}, "" when absent
 * @param timestampSignature the unprotected RFC 3161 countersignature, or null
 * @param extendedAttributes the protected headers the Notary Project does not define
 */
public record NotationEnvelope(
    SignatureFormat format,
    SignatureAlgorithm algorithm,
    String signingScheme,
    Instant signingTime,
    Instant expiry,
    String contentType,
    byte[] payload,
    byte[] signature,
    List<X509Certificate> certificateChain,
    String signingAgent,
    byte[] timestampSignature,
    List<Attribute> extendedAttributes,
    byte[] signedBytes) {

  /** notation's own envelopes are a few KiB; this keeps a hostile blob from costing more than a glance. */
  public static final int MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
  /** Far beyond any real code signing chain (leaf, a few intermediates, root). */
  public static final int MAX_CHAIN = 10;
  public static final String SCHEME_X509 = "notary.x509";
  public static final String SCHEME_SIGNING_AUTHORITY = "notary.x509.signingAuthority";
  public static final String PAYLOAD_CONTENT_TYPE = "application/vnd.cncf.notary.payload.v1+json";

  /** A protected header the Notary Project does not define, and whether it is marked critical. */
  public record Attribute(Object key, boolean critical, Object value) {}

  public NotationEnvelope {
    certificateChain = List.copyOf(certificateChain);
    extendedAttributes = List.copyOf(extendedAttributes);
  }

  /**
   * Reads an envelope of {@code mediaType} ({@code application/jose+json} or
   * {@code application/cose}).
   *
   * @throws EnvelopeException when notation would refuse it before checking its signature: the
   *     message names the part and what is wrong with it
   */
  public static NotationEnvelope parse(String mediaType, byte[] envelope) throws EnvelopeException {
    SignatureFormat format = SignatureFormat.ofMediaType(mediaType).orElseThrow(() -> new EnvelopeException(
        "signature envelope format with media type \"" + mediaType + "\" is not supported; notation signs application/jose+json"
            + " (JWS) or application/cose (COSE)"));
    if (envelope.length == 0) {
      throw new EnvelopeException("the " + format.spelling() + " signature envelope is empty");
    }
    if (envelope.length > MAX_ENVELOPE_BYTES) {
      throw new EnvelopeException("the " + format.spelling() + " signature envelope has " + envelope.length + " bytes, more than the "
          + MAX_ENVELOPE_BYTES + " TrustSync reads; a Notation envelope is a few KiB");
    }
    NotationEnvelope parsed = format == SignatureFormat.JWS ? JwsEnvelopes.parse(envelope) : CoseEnvelopes.parse(envelope);
    // base.validateEnvelopeContent, less the certificate chain (integrityProblem).
    if (parsed.payload.length == 0) {
      throw new EnvelopeException("the " + format.spelling() + " payload is empty (content not present)");
    }
    if (parsed.signature.length == 0) {
      throw new EnvelopeException("the " + format.spelling() + " signature is empty");
    }
    if (parsed.expiry != null && !parsed.expiry.isAfter(parsed.signingTime)) {
      throw new EnvelopeException("the " + format.spelling() + " expiry " + parsed.expiry + " is not after the signing time "
          + parsed.signingTime + " (expiry cannot be equal or before the signing time)");
    }
    return parsed;
  }

  /**
   * Why notation's integrity check fails this envelope, or empty when it holds: the leaf key must
   * be one the Notary Project signs with, the signature must verify with it (JWS: golang-jwt with
   * any PSS salt length; COSE: go-cose with the salt as long as the hash, and the protected
   * {@code alg} must be the key's), the chain must meet {@link CodeSigningChain}, the algorithm
   * must be the leaf key's, and the payload must be a Notary Project payload (verifier.go
   * {@code verifyIntegrity}).
   */
  public Optional<String> integrityProblem() {
    X509Certificate leaf = certificateChain.getFirst();
    Optional<SignatureAlgorithm> keyAlgorithm = SignatureAlgorithm.ofKey(leaf.getPublicKey());
    if (format == SignatureFormat.COSE) {
      if (keyAlgorithm.isEmpty()) {
        return Optional.of(SignatureAlgorithm.unsupportedKey(leaf.getPublicKey()));
      }
      if (keyAlgorithm.get() != algorithm) {
        return Optional.of("signature is invalid. Error: algorithm mismatch: the signing key signs with " + keyAlgorithm.get()
            + " but the protected header says " + algorithm);
      }
    }
    if (!algorithm.verify(leaf.getPublicKey(), signedBytes, signature, format == SignatureFormat.JWS)) {
      return Optional.of("signature is invalid. Error: the " + algorithm + " signature does not verify with the signing certificate's key"
          + " (the envelope was altered after signing, or signed by another key)");
    }
    String chain = CodeSigningChain.problem(certificateChain);
    if (chain != null) {
      return Optional.of("certificate-chain is invalid, " + chain);
    }
    if (keyAlgorithm.isEmpty() || keyAlgorithm.get() != algorithm) {
      return Optional.of("mismatch between signature algorithm derived from signing certificate ("
          + keyAlgorithm.map(Enum::name).orElse("none") + ") and signing algorithm specified (" + algorithm + ")");
    }
    if (!contentType.equals(PAYLOAD_CONTENT_TYPE)) {
      return Optional.of("payload content type \"" + contentType + "\" not supported; notation signs " + PAYLOAD_CONTENT_TYPE);
    }
    return Optional.empty();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public byte[] signedBytes() {
    return signedBytes.clone();
  }

  @Override
  public byte[] timestampSignature() {
    return timestampSignature == null ? null : timestampSignature.clone();
  }

  /** The payload as text, for messages. */
  String payloadText() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** DER certificates in order, at most {@link #MAX_CHAIN}; {@code what} names the header in messages. */
  static List<X509Certificate> certificates(List<byte[]> ders, String what) throws EnvelopeException {
    if (ders.isEmpty()) {
      throw new EnvelopeException("certificate chain is not present: " + what + " is missing or empty");
    }
    if (ders.size() > MAX_CHAIN) {
      throw new EnvelopeException(what + " has " + ders.size() + " certificates, more than the " + MAX_CHAIN + " TrustSync reads");
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> chain = new java.util.ArrayList<>();
      for (int i = 0; i < ders.size(); i++) {
        byte[] der = ders.get(i);
        try {
          // generateCertificate also accepts PEM and trailing bytes; Go's ParseCertificate only one exact DER.
          if (der.length == 0 || der[0] != 0x30 || derLength(der) != der.length) {
            throw new CertificateException("not exactly one DER certificate");
          }
          chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        } catch (CertificateException | RuntimeException e) {
          throw new EnvelopeException((i == 0 ? "malformed leaf certificate" : "malformed certificate " + (i + 1)) + " in " + what + " ("
              + e.getMessage() + ")");
        }
      }
      return chain;
    } catch (CertificateException e) {
      throw new IllegalStateException("no X.509 certificate factory", e);
    }
  }

  /** The length of the DER element at the start of {@code der}, header included, or -1. */
  private static long derLength(byte[] der) {
    if (der.length < 2) {
      return -1;
    }
    int first = der[1] & 0xff;
    if (first < 0x80) {
      return 2 + first;
    }
    int count = first & 0x7f;
    if (count == 0 || count > 4 || der.length < 2 + count) {
      return -1;
    }
    long length = 0;
    for (int i = 0; i < count; i++) {
      length = (length << 8) | (der[2 + i] & 0xff);
    }
    return 2 + count + length;
  }
}
