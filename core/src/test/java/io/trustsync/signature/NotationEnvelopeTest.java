package io.trustsync.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading the envelopes the real notation CLI wrote, and refusing broken ones with a checked, clear error. */
class NotationEnvelopeTest {
  private static final String JWS = "application/jose+json";
  private static final String COSE = "application/cose";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static NotationEnvelope read(String name) throws EnvelopeException {
    Fixtures.Case fixture = Fixtures.cases().stream().filter(c -> c.signatures().size() == 1)
        .filter(c -> Arrays.equals(c.signatures().getFirst().envelope(), Fixtures.bytes("envelopes/" + name + ".sig"))).findFirst().orElseThrow();
    return NotationEnvelope.parse(fixture.signatures().getFirst().mediaType(), Fixtures.bytes("envelopes/" + name + ".sig"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "rsa2048-jws | JWS | PS256 | 1 | CN=teamA,O=Notary,L=Seattle,ST=WA,C=US",
      "rsa2048-cose | COSE | PS256 | 1 | CN=teamA,O=Notary,L=Seattle,ST=WA,C=US",
      "rsa3072-jws | JWS | PS384 | 1 | CN=teamB,O=Notary,L=Seattle,ST=WA,C=US",
      "ec256-jws | JWS | ES256 | 2 | CN=acme builder ec256,OU=Builds,O=Acme,L=Seattle,ST=WA,C=US",
      "ec256-cose | COSE | ES256 | 2 | CN=acme builder ec256,OU=Builds,O=Acme,L=Seattle,ST=WA,C=US",
      "ec384-cose | COSE | ES384 | 2 | CN=acme builder ec384,OU=Builds,O=Acme,L=Seattle,ST=WA,C=US"})
  void readsWhatNotationSigned(String name, SignatureFormat format, SignatureAlgorithm algorithm, int chain, String signer) throws Exception {
    NotationEnvelope envelope = read(name);

    assertThat(envelope.format()).isEqualTo(format);
    assertThat(envelope.algorithm()).isEqualTo(algorithm);
    assertThat(envelope.signingScheme()).isEqualTo("notary.x509");
    assertThat(envelope.contentType()).isEqualTo("application/vnd.cncf.notary.payload.v1+json");
    assertThat(envelope.signingAgent()).isEqualTo("notation-go/1.3.2");
    assertThat(envelope.expiry()).isNull();
    assertThat(envelope.timestampSignature()).isNull();
    assertThat(envelope.certificateChain()).hasSize(chain);
    assertThat(envelope.certificateChain().getFirst().getSubjectX500Principal().getName()).isEqualTo(signer);
    assertThat(envelope.signingTime()).isBefore(Fixtures.NOW).isAfter(Fixtures.NOW.minus(Duration.ofMinutes(10)));
    assertThat(envelope.payloadText()).contains("\"targetArtifact\"").contains("application/vnd.oci.image.manifest.v1+json");
    assertThat(envelope.integrityProblem()).isEmpty();
  }

  @Test
  void theCoseSignatureCoversTheSigStructure() throws Exception {
    NotationEnvelope envelope = read("rsa2048-cose");
    byte[] signed = envelope.signedBytes();
    // ["Signature1", protected, h'', payload]: array(4), text(10), then the protected bstr
    assertThat(HexFormat.of().formatHex(signed, 0, 12)).isEqualTo("846a5369676e617475726531");
    byte[] payload = envelope.payload();
    assertThat(Arrays.copyOfRange(signed, signed.length - payload.length, signed.length)).isEqualTo(payload);
  }

  @Test
  void theExpiryIsReadFromBothFormats() throws Exception {
    for (String name : new String[] {"expired-jws", "expired-cose"}) {
      NotationEnvelope envelope = read(name);
      assertThat(envelope.expiry()).as(name).isEqualTo(envelope.signingTime().plusSeconds(1));
    }
  }

  @Test
  void anAlteredSignatureOrPayloadFailsIntegrityNotParsing() throws Exception {
    for (String name : new String[] {"tampered-payload-jws", "tampered-payload-cose", "tampered-signature-jws", "tampered-signature-cose"}) {
      assertThat(read(name).integrityProblem()).as(name).hasValueSatisfying(p -> assertThat(p).startsWith("signature is invalid"));
    }
  }

  @Test
  void anUnknownMediaTypeIsNamed() {
    assertThatThrownBy(() -> NotationEnvelope.parse("application/vnd.dev.cosign.simplesigning.v1+json", new byte[] {1}))
        .isInstanceOf(EnvelopeException.class).hasMessageContaining("application/vnd.dev.cosign.simplesigning.v1+json")
        .hasMessageContaining("application/jose+json");
  }

  @Test
  void sizesAreBounded() {
    assertThatThrownBy(() -> NotationEnvelope.parse(COSE, new byte[NotationEnvelope.MAX_ENVELOPE_BYTES + 1]))
        .isInstanceOf(EnvelopeException.class).hasMessageContaining("more than the 4194304");
    assertThatThrownBy(() -> NotationEnvelope.parse(JWS, new byte[0])).isInstanceOf(EnvelopeException.class).hasMessageContaining("empty");
  }

  @Test
  void aJwsChainOfElevenCertificatesIsRefused() throws Exception {
    ObjectNode envelope = (ObjectNode) JSON.readTree(Fixtures.bytes("envelopes/rsa2048-jws.sig"));
    String leaf = envelope.get("header").get("x5c").get(0).asText();
    var x5c = ((ObjectNode) envelope.get("header")).putArray("x5c");
    for (int i = 0; i < 11; i++) {
      x5c.add(leaf);
    }
    assertThatThrownBy(() -> NotationEnvelope.parse(JWS, JSON.writeValueAsBytes(envelope)))
        .isInstanceOf(EnvelopeException.class).hasMessageContaining("11 certificates");
  }

  @Test
  void aJwsWithAnotherAlgorithmOrNoCritIsRefused() throws Exception {
    assertThatThrownBy(() -> NotationEnvelope.parse(JWS, withProtected("{\"alg\":\"none\"}"))).isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("signing method none is invalid");
    assertThatThrownBy(() -> NotationEnvelope.parse(JWS, withProtected("{\"alg\":\"PS256\",\"cty\":\"application/vnd.cncf.notary.payload.v1+json\","
        + "\"io.cncf.notary.signingScheme\":\"notary.x509\",\"io.cncf.notary.signingTime\":\"2026-01-01T00:00:00Z\"}")))
        .isInstanceOf(EnvelopeException.class).hasMessageContaining("missing \"crit\"");
    assertThatThrownBy(() -> NotationEnvelope.parse(JWS, withProtected("{\"alg\":\"PS256\",\"crit\":[\"io.cncf.notary.signingScheme\"],"
        + "\"io.cncf.notary.signingScheme\":\"notary.x509\",\"io.cncf.notary.signingTime\":\"2026-01-01T00:00:00Z\","
        + "\"io.cncf.notary.expiry\":\"2027-01-01T00:00:00Z\"}")))
        .isInstanceOf(EnvelopeException.class).hasMessageContaining("not marked as critical").hasMessageContaining("io.cncf.notary.expiry");
    assertThatThrownBy(() -> NotationEnvelope.parse(JWS, "[1,2]".getBytes(StandardCharsets.UTF_8))).isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> NotationEnvelope.parse(JWS, "{\"payload\":".getBytes(StandardCharsets.UTF_8))).isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("not valid JSON");
  }

  /** The rsa2048-jws envelope with its protected header replaced (its signature no longer covers it). */
  private static byte[] withProtected(String header) throws Exception {
    ObjectNode envelope = (ObjectNode) JSON.readTree(Fixtures.bytes("envelopes/rsa2048-jws.sig"));
    envelope.put("protected", Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8)));
    return JSON.writeValueAsBytes(envelope);
  }

  @Test
  void aSingleByteStringX5chainIsRefusedAsNotationRefusesIt() throws Exception {
    byte[] cose = Fixtures.bytes("envelopes/rsa2048-cose.sig");
    // the unprotected map {33: [cert], ...}: a2 18 21 81 <bstr>; drop the array head 81
    int at = indexOf(cose, new byte[] {(byte) 0x18, 0x21, (byte) 0x81});
    byte[] single = new byte[cose.length - 1];
    System.arraycopy(cose, 0, single, 0, at + 2);
    System.arraycopy(cose, at + 3, single, at + 2, cose.length - at - 3);
    assertThatThrownBy(() -> NotationEnvelope.parse(COSE, single)).isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("single byte string").hasMessageContaining("requires an array");
  }

  @ParameterizedTest
  @CsvSource({
      "d2 84 40 bf ff 40 41 00, indefinite-length",
      "d2 84 40 a2 01 01 01 01 40 41 00, twice",
      "d2 84 40 a1 01 c1 01 40 41 00, CBOR tag",
      "d2 84 40 a0 40 41 00 00, extra data",
      "d2 84 40 a0 40, not well-formed",
      "d2 83 40 a0 40, COSE_Sign1_Tagged",
      "d2 84 41 01 a0 40 41 00, does not hold a map",
      "d2 84 40 a0 f6 41 00, detached",
      "d2 84 40 a1 02 81 01 40 41 00, crit: not allowed",
      "d2 84 43 a1 01 26 a0 40 41 00, certificate chain is not present"})
  void brokenCoseIsRefusedWithItsReason(String hex, String reason) {
    byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(hex);
    assertThatThrownBy(() -> NotationEnvelope.parse(COSE, bytes)).isInstanceOf(EnvelopeException.class).hasMessageContaining(reason);
  }

  @Test
  void everyTruncationAndRandomDamageIsACheckedErrorOrAnIntegrityFailure() throws Exception {
    Random random = new Random(20261202);
    for (String name : new String[] {"rsa2048-jws", "rsa2048-cose", "ec256-jws", "ec384-cose"}) {
      byte[] original = Fixtures.bytes("envelopes/" + name + ".sig");
      String mediaType = name.endsWith("jws") ? JWS : COSE;
      for (int length = 0; length < original.length; length += 7) {
        expectRefusedOrInvalid(mediaType, Arrays.copyOf(original, length));
      }
      for (int round = 0; round < 300; round++) {
        byte[] damaged = original.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
          damaged[random.nextInt(damaged.length)] ^= (byte) (1 << random.nextInt(8));
        }
        expectRefusedOrInvalid(mediaType, damaged);
      }
    }
  }

  private static void expectRefusedOrInvalid(String mediaType, byte[] bytes) {
    try {
      NotationEnvelope envelope = NotationEnvelope.parse(mediaType, bytes);
      // parsed: the damage was somewhere the signature covers, or in an unsigned header
      envelope.integrityProblem();
    } catch (EnvelopeException e) {
      assertThat(e.getMessage()).isNotBlank().doesNotContain("\tat ");
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }
}
