package io.trustsync.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
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
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;

/** Signs commits with an OpenPGP key generated in-process, as {@code git commit -S} with gpg would. */
public final class PgpCommitSigner implements CommitSigner {

  private final PGPKeyPair key;
  private final PGPPublicKeyRing publicKeyRing;

  private PgpCommitSigner(PGPKeyPair key, PGPPublicKeyRing publicKeyRing) {
    this.key = key;
    this.publicKeyRing = publicKeyRing;
  }

  /** A new RSA signing key for {@code "Name <email>"}. */
  public static PgpCommitSigner generate(String userId) {
    try {
      PGPKeyPair key =
          new JcaPGPKeyPair(
              PublicKeyPacket.VERSION_4,
              PublicKeyAlgorithmTags.RSA_GENERAL,
              CertificateAuthority.newKeyPair(),
              Date.from(Instant.now().minusSeconds(3600)));
      PGPSignatureSubpacketGenerator flags = new PGPSignatureSubpacketGenerator();
      flags.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
      PGPKeyRingGenerator ring =
          new PGPKeyRingGenerator(
              PGPSignature.POSITIVE_CERTIFICATION,
              key,
              userId,
              new JcaPGPDigestCalculatorProviderBuilder().build().get(HashAlgorithmTags.SHA1),
              flags.generate(),
              null,
              new JcaPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
              null);
      return new PgpCommitSigner(key, ring.generatePublicKeyRing());
    } catch (PGPException e) {
      throw new IllegalStateException("cannot generate an OpenPGP key", e);
    }
  }

  /** The public key, ASCII-armored, for {@code gpg --import} or a trust policy. */
  public String armoredPublicKey() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArmoredOutputStream armored = new ArmoredOutputStream(bytes)) {
      publicKeyRing.encode(armored);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toString(java.nio.charset.StandardCharsets.US_ASCII);
  }

  public String fingerprint() {
    return HexFormat.of().withUpperCase().formatHex(key.getPublicKey().getFingerprint());
  }

  @Override
  public byte[] sign(byte[] commitPayload) {
    try {
      PGPSignatureGenerator generator =
          new PGPSignatureGenerator(
              new JcaPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
              key.getPublicKey());
      generator.init(PGPSignature.BINARY_DOCUMENT, key.getPrivateKey());
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setSignatureCreationTime(false, new Date());
      hashed.setIssuerFingerprint(false, key.getPublicKey());
      generator.setHashedSubpackets(hashed.generate());
      generator.update(commitPayload);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ArmoredOutputStream armored = new ArmoredOutputStream(bytes)) {
        generator.generate().encode(armored);
      }
      return bytes.toByteArray();
    } catch (PGPException | IOException e) {
      throw new IllegalStateException("cannot sign a commit", e);
    }
  }
}
