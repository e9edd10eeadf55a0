package io.trustsync.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;

/** An OpenPGP RSA key made with BouncyCastle that signs commits as {@code git commit -S} with gpg does. */
final class PgpTestKey {

  private final PGPKeyPair key;
  private final String armoredPublicKey;

  private PgpTestKey(PGPKeyPair key, String armoredPublicKey) {
    this.key = key;
    this.armoredPublicKey = armoredPublicKey;
  }

  static PgpTestKey generate(String userId) {
    try {
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      PGPKeyPair key = new JcaPGPKeyPair(PublicKeyPacket.VERSION_4, PublicKeyAlgorithmTags.RSA_GENERAL,
          rsa.generateKeyPair(), new Date(System.currentTimeMillis() - 3_600_000));
      PGPSignatureSubpacketGenerator flags = new PGPSignatureSubpacketGenerator();
      flags.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
      PGPKeyRingGenerator ring = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, key, userId,
          new JcaPGPDigestCalculatorProviderBuilder().build().get(HashAlgorithmTags.SHA1), flags.generate(), null,
          new JcaPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256), null);
      ByteArrayOutputStream armored = new ByteArrayOutputStream();
      try (ArmoredOutputStream out = new ArmoredOutputStream(armored)) {
        ring.generatePublicKeyRing().encode(out);
      }
      return new PgpTestKey(key, armored.toString(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | PGPException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  String armoredPublicKey() {
    return armoredPublicKey;
  }

  String fingerprint() {
    return HexFormat.of().withUpperCase().formatHex(key.getPublicKey().getFingerprint());
  }

  /** An armored detached signature over the bytes, as git stores in the gpgsig header. */
  String sign(byte[] payload) {
    try {
      PGPSignatureGenerator generator = new PGPSignatureGenerator(
          new JcaPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256), key.getPublicKey());
      generator.init(PGPSignature.BINARY_DOCUMENT, key.getPrivateKey());
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setSignatureCreationTime(false, new Date());
      hashed.setIssuerFingerprint(false, key.getPublicKey());
      generator.setHashedSubpackets(hashed.generate());
      generator.update(payload);
      ByteArrayOutputStream armored = new ByteArrayOutputStream();
      try (ArmoredOutputStream out = new ArmoredOutputStream(armored)) {
        generator.generate().encode(out);
      }
      return armored.toString(StandardCharsets.US_ASCII);
    } catch (PGPException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The raw commit with a gpgsig header added after the other headers, as git writes it. */
  static byte[] withSignature(byte[] unsignedCommit, String armoredSignature) {
    String text = new String(unsignedCommit, StandardCharsets.UTF_8);
    int endOfHeaders = text.indexOf("\n\n") + 1;
    String header = "gpgsig " + armoredSignature.strip().replace("\n", "\n ") + "\n";
    return (text.substring(0, endOfHeaders) + header + text.substring(endOfHeaders)).getBytes(StandardCharsets.UTF_8);
  }
}
