package io.trustsync.source;

import io.trustsync.source.SignatureVerdict.Type;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * OpenPGP public keys whose detached commit signatures are trusted. Uses BouncyCastle's
 * lightweight API so no JCA provider has to be registered JVM-wide.
 */
final class TrustedPgpKeys {

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN PGP PUBLIC KEY BLOCK-----.*?-----END PGP PUBLIC KEY BLOCK-----", Pattern.DOTALL);

  private final List<PGPPublicKeyRing> rings;

  private TrustedPgpKeys(List<PGPPublicKeyRing> rings) {
    this.rings = rings;
  }

  /** Every ASCII-armored public key block in the text; the rest of the text is ignored. */
  static TrustedPgpKeys fromText(String text) {
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      try (InputStream in = PGPUtil.getDecoderStream(
          new ByteArrayInputStream(block.group().getBytes(StandardCharsets.US_ASCII)))) {
        rings.add(new PGPPublicKeyRing(in, new BcKeyFingerprintCalculator()));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("trusted PGP key " + (rings.size() + 1) + " cannot be read: it is not an ASCII-armored OpenPGP public key block", e);
      }
    }
    return new TrustedPgpKeys(List.copyOf(rings));
  }

  boolean isEmpty() {
    return rings.isEmpty();
  }

  SignatureVerdict verify(byte[] payload, String armoredSignature) {
    PGPSignature signature;
    try {
      signature = readSignature(armoredSignature);
    } catch (IOException | PGPException | RuntimeException e) {
      return SignatureVerdict.rejected(Type.PGP, null, "the commit's PGP signature cannot be parsed");
    }
    List<KeyIdentifier> issuers = signature.getKeyIdentifiers();
    String issuer = issuers.isEmpty() ? null : describe(issuers.getFirst());
    PGPPublicKey key = findKey(issuers);
    if (key == null) {
      return SignatureVerdict.rejected(Type.PGP, issuer, "signed by PGP key " + issuer + ", which is not a trusted key");
    }
    String fingerprint = HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
    if (key.hasRevocation()) {
      return SignatureVerdict.rejected(Type.PGP, fingerprint, "PGP key " + fingerprint + " is revoked");
    }
    if (key.getValidSeconds() > 0 && signature.getCreationTime().getTime()
        > key.getCreationTime().getTime() + key.getValidSeconds() * 1000) {
      return SignatureVerdict.rejected(Type.PGP, fingerprint, "PGP key " + fingerprint + " had expired when it signed");
    }
    try {
      signature.init(new BcPGPContentVerifierBuilderProvider(), key);
      signature.update(payload);
      if (!signature.verify()) {
        return SignatureVerdict.rejected(Type.PGP, fingerprint,
            "PGP signature by " + fingerprint + " does not match the commit content (altered commit?)");
      }
    } catch (PGPException e) {
      return SignatureVerdict.rejected(Type.PGP, fingerprint, "the commit's PGP signature cannot be checked against the key");
    }
    return SignatureVerdict.accepted(Type.PGP, fingerprint, "good PGP signature by trusted key " + fingerprint);
  }

  private PGPPublicKey findKey(List<KeyIdentifier> issuers) {
    for (KeyIdentifier issuer : issuers) {
      for (PGPPublicKeyRing ring : rings) {
        PGPPublicKey key = ring.getPublicKey(issuer);
        if (key != null) {
          return key;
        }
      }
    }
    return null;
  }

  private static PGPSignature readSignature(String armored) throws IOException, PGPException {
    try (InputStream in = PGPUtil.getDecoderStream(
        new ByteArrayInputStream(armored.getBytes(StandardCharsets.US_ASCII)))) {
      Object object = new BcPGPObjectFactory(in).nextObject();
      if (object instanceof PGPCompressedData compressed) {
        object = new BcPGPObjectFactory(compressed.getDataStream()).nextObject();
      }
      if (!(object instanceof PGPSignatureList list) || list.size() != 1) {
        throw new PGPException("expected one detached signature");
      }
      return list.get(0);
    }
  }

  private static String describe(KeyIdentifier id) {
    return id.getFingerprint() != null
        ? HexFormat.of().withUpperCase().formatHex(id.getFingerprint())
        : String.format("%016X", id.getKeyId());
  }
}
