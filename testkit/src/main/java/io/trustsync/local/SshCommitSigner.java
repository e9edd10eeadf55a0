package io.trustsync.local;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * Signs commits with an ed25519 key in the SSHSIG format ({@code gpg.format=ssh}), as
 * {@code git commit -S} with {@code ssh-keygen -Y sign -n git} would. See PROTOCOL.sshsig in OpenSSH.
 */
public final class SshCommitSigner implements CommitSigner {

  private static final byte[] MAGIC = "SSHSIG".getBytes(StandardCharsets.US_ASCII);
  private static final String NAMESPACE = "git";
  private static final String HASH = "sha512";

  private final KeyPair key;

  public SshCommitSigner(KeyPair key) {
    this.key = key;
  }

  public static SshCommitSigner generate() {
    return new SshCommitSigner(newEd25519KeyPair());
  }

  /**
   * A new ed25519 key pair usable everywhere here: made through Apache MINA sshd, whose SSH
   * server and client (JGit's) refuse the JDK's own ed25519 key classes; the JDK signs with it.
   */
  public static KeyPair newEd25519KeyPair() {
    try {
      return KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public KeyPair keyPair() {
    return key;
  }

  /** {@code ssh-ed25519 AAAA...}, as in authorized_keys. */
  public String publicKeyLine() {
    return openSshPublicKey(key.getPublic());
  }

  /** A line for git's {@code gpg.ssh.allowedSignersFile}. */
  public String allowedSignersLine(String email) {
    return email + " namespaces=\"" + NAMESPACE + "\" " + publicKeyLine();
  }

  @Override
  public byte[] sign(byte[] commitPayload) {
    try {
      byte[] publicKey = wirePublicKey(key.getPublic());
      ByteArrayOutputStream signed = new ByteArrayOutputStream();
      signed.writeBytes(MAGIC);
      writeString(signed, NAMESPACE.getBytes(StandardCharsets.US_ASCII));
      writeString(signed, new byte[0]);
      writeString(signed, HASH.getBytes(StandardCharsets.US_ASCII));
      writeString(signed, MessageDigest.getInstance("SHA-512").digest(commitPayload));
      Signature ed25519 = Signature.getInstance("Ed25519");
      ed25519.initSign(key.getPrivate());
      ed25519.update(signed.toByteArray());
      ByteArrayOutputStream signature = new ByteArrayOutputStream();
      writeString(signature, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
      writeString(signature, ed25519.sign());

      ByteArrayOutputStream blob = new ByteArrayOutputStream();
      blob.writeBytes(MAGIC);
      new DataOutputStream(blob).writeInt(1);
      writeString(blob, publicKey);
      writeString(blob, NAMESPACE.getBytes(StandardCharsets.US_ASCII));
      writeString(blob, new byte[0]);
      writeString(blob, HASH.getBytes(StandardCharsets.US_ASCII));
      writeString(blob, signature.toByteArray());
      String armored =
          "-----BEGIN SSH SIGNATURE-----\n"
              + Base64.getMimeEncoder(70, new byte[] {'\n'}).encodeToString(blob.toByteArray())
              + "\n-----END SSH SIGNATURE-----\n";
      return armored.getBytes(StandardCharsets.US_ASCII);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot sign a commit", e);
    }
  }

  /** OpenSSH's one-line form of an ed25519 public key. */
  public static String openSshPublicKey(PublicKey publicKey) {
    return "ssh-ed25519 " + Base64.getEncoder().encodeToString(wirePublicKey(publicKey));
  }

  private static byte[] wirePublicKey(PublicKey publicKey) {
    byte[] spki = publicKey.getEncoded();
    // An ed25519 SubjectPublicKeyInfo ends with the 32 raw key bytes.
    byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeString(out, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
    writeString(out, raw);
    return out.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, byte[] value) {
    try {
      new DataOutputStream(out).writeInt(value.length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.writeBytes(value);
  }
}
