package io.trustsync.source;

import io.trustsync.source.SignatureVerdict.Type;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SSH public keys whose SSHSIG commit signatures ({@code gpg.format=ssh}) are trusted, read from
 * authorized_keys or allowed_signers lines. Implements OpenSSH's PROTOCOL.sshsig with JDK crypto.
 */
final class TrustedSshKeys {

  private static final byte[] MAGIC = "SSHSIG".getBytes(StandardCharsets.US_ASCII);
  private static final String NAMESPACE = "git";
  private static final Map<String, String> HASHES = Map.of("sha256", "SHA-256", "sha512", "SHA-512");
  private static final Map<String, String> CURVES =
      Map.of("nistp256", "secp256r1", "nistp384", "secp384r1", "nistp521", "secp521r1");
  private static final List<String> KEY_TYPES = List.of("ssh-ed25519", "ssh-rsa",
      "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521");

  private final Set<String> trustedBlobs; // hex of the public key wire encoding

  private TrustedSshKeys(Set<String> trustedBlobs) {
    this.trustedBlobs = trustedBlobs;
  }

  /**
   * Every line holding {@code <type> <base64>}, wherever it sits: allowed_signers lines start
   * with principals and options, authorized_keys lines may start with options.
   */
  static TrustedSshKeys fromText(String text) {
    Set<String> blobs = new LinkedHashSet<>();
    int lineNumber = 0;
    for (String line : text.split("\\R")) {
      lineNumber++;
      String[] tokens = line.trim().split("\\s+");
      for (int i = 0; i + 1 < tokens.length && !line.trim().startsWith("#"); i++) {
        if (KEY_TYPES.contains(tokens[i])) {
          byte[] blob;
          try {
            blob = Base64.getDecoder().decode(tokens[i + 1]);
            String declared = new WireReader(blob).string();
            if (!declared.equals(tokens[i])) {
              throw new IllegalArgumentException("key data is of type " + declared);
            }
            publicKey(blob); // reject unusable keys now, not when a commit arrives
          } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("trusted SSH key on line " + lineNumber + " cannot be read: expected '<type> <base64 key> [comment]' or an allowed_signers line", e);
          }
          blobs.add(HexFormat.of().formatHex(blob));
          break;
        }
      }
    }
    return new TrustedSshKeys(Set.copyOf(blobs));
  }

  boolean isEmpty() {
    return trustedBlobs.isEmpty();
  }

  SignatureVerdict verify(byte[] payload, String armoredSignature) {
    WireReader sig;
    byte[] publicKeyBlob;
    String namespace;
    byte[] reserved;
    String hash;
    byte[] signatureBlob;
    try {
      sig = new WireReader(unarmor(armoredSignature));
      if (!Arrays.equals(sig.raw(MAGIC.length), MAGIC) || sig.uint32() != 1) {
        throw new IllegalArgumentException("not an SSHSIG version 1 signature");
      }
      publicKeyBlob = sig.bytes();
      namespace = sig.string();
      reserved = sig.bytes();
      hash = sig.string();
      signatureBlob = sig.bytes();
    } catch (IllegalArgumentException e) {
      return SignatureVerdict.rejected(Type.SSH, null, "the commit's SSH signature cannot be parsed");
    }
    String fingerprint = fingerprint(publicKeyBlob);
    if (!NAMESPACE.equals(namespace)) {
      // a signature made for files or e-mail must not be replayable as a commit signature
      return SignatureVerdict.rejected(Type.SSH, fingerprint,
          "SSH signature is for namespace '" + namespace + "', not 'git'");
    }
    if (!HASHES.containsKey(hash)) {
      return SignatureVerdict.rejected(Type.SSH, fingerprint, "SSH signature uses unsupported hash '" + hash + "'");
    }
    if (!trustedBlobs.contains(HexFormat.of().formatHex(publicKeyBlob))) {
      return SignatureVerdict.rejected(Type.SSH, fingerprint, "signed by SSH key " + fingerprint + ", which is not a trusted key");
    }
    try {
      ByteArrayOutputStream signed = new ByteArrayOutputStream();
      signed.writeBytes(MAGIC);
      writeString(signed, namespace.getBytes(StandardCharsets.UTF_8));
      writeString(signed, reserved);
      writeString(signed, hash.getBytes(StandardCharsets.UTF_8));
      writeString(signed, MessageDigest.getInstance(HASHES.get(hash)).digest(payload));
      if (!verifyRaw(publicKeyBlob, signatureBlob, signed.toByteArray())) {
        return SignatureVerdict.rejected(Type.SSH, fingerprint,
            "SSH signature by " + fingerprint + " does not match the commit content (altered commit?)");
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return SignatureVerdict.rejected(Type.SSH, fingerprint, "the commit's SSH signature cannot be checked against the key");
    }
    return SignatureVerdict.accepted(Type.SSH, fingerprint, "good SSH signature by trusted key " + fingerprint);
  }

  /** OpenSSH's fingerprint form, as {@code ssh-keygen -l} prints it. */
  static String fingerprint(byte[] publicKeyBlob) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKeyBlob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean verifyRaw(byte[] publicKeyBlob, byte[] signatureBlob, byte[] data)
      throws GeneralSecurityException {
    String keyType = new WireReader(publicKeyBlob).string();
    WireReader sig = new WireReader(signatureBlob);
    String sigType = sig.string();
    byte[] sigBytes = sig.bytes();
    Signature verifier;
    switch (keyType) {
      case "ssh-ed25519" -> {
        require(sigType.equals("ssh-ed25519"), sigType);
        verifier = Signature.getInstance("Ed25519");
      }
      case "ssh-rsa" -> {
        // PROTOCOL.sshsig forbids SHA-1 RSA signatures ("ssh-rsa")
        require(sigType.equals("rsa-sha2-256") || sigType.equals("rsa-sha2-512"), sigType);
        verifier = Signature.getInstance(sigType.equals("rsa-sha2-256") ? "SHA256withRSA" : "SHA512withRSA");
      }
      default -> {
        require(sigType.equals(keyType), sigType);
        String curve = keyType.substring("ecdsa-sha2-".length());
        String digest = switch (curve) {
          case "nistp256" -> "SHA256";
          case "nistp384" -> "SHA384";
          default -> "SHA512";
        };
        verifier = Signature.getInstance(digest + "withECDSA");
        sigBytes = derSignature(sigBytes);
      }
    }
    verifier.initVerify(publicKey(publicKeyBlob));
    verifier.update(data);
    return verifier.verify(sigBytes);
  }

  private static PublicKey publicKey(byte[] blob) throws GeneralSecurityException {
    WireReader key = new WireReader(blob);
    String type = key.string();
    if (type.equals("ssh-ed25519")) {
      byte[] raw = key.bytes();
      require(raw.length == 32, "ed25519 key length " + raw.length);
      byte[] spki = HexFormat.of().parseHex("302a300506032b6570032100"); // SubjectPublicKeyInfo prefix for Ed25519
      byte[] encoded = Arrays.copyOf(spki, spki.length + 32);
      System.arraycopy(raw, 0, encoded, spki.length, 32);
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    }
    if (type.equals("ssh-rsa")) {
      BigInteger e = key.mpint();
      BigInteger n = key.mpint();
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
    }
    String curveName = key.string();
    require(CURVES.containsKey(curveName) && type.equals("ecdsa-sha2-" + curveName), type);
    byte[] q = key.bytes();
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
    parameters.init(new ECGenParameterSpec(CURVES.get(curveName)));
    ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
    int size = (spec.getCurve().getField().getFieldSize() + 7) / 8;
    require(q.length == 1 + 2 * size && q[0] == 4, "compressed or malformed EC point");
    ECPoint point = new ECPoint(new BigInteger(1, Arrays.copyOfRange(q, 1, 1 + size)),
        new BigInteger(1, Arrays.copyOfRange(q, 1 + size, q.length)));
    return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
  }

  /** SSH writes an ECDSA signature as two mpints; the JDK wants DER SEQUENCE { r, s }. */
  private static byte[] derSignature(byte[] sshSignature) {
    WireReader rs = new WireReader(sshSignature);
    byte[] r = rs.mpint().toByteArray();
    byte[] s = rs.mpint().toByteArray();
    ByteArrayOutputStream der = new ByteArrayOutputStream();
    int length = 2 + r.length + 2 + s.length;
    der.write(0x30);
    if (length > 127) der.write(0x81);
    der.write(length);
    der.write(0x02);
    der.write(r.length);
    der.writeBytes(r);
    der.write(0x02);
    der.write(s.length);
    der.writeBytes(s);
    return der.toByteArray();
  }

  private static byte[] unarmor(String armored) {
    String text = armored.trim();
    String begin = "-----BEGIN SSH SIGNATURE-----";
    String end = "-----END SSH SIGNATURE-----";
    if (!text.startsWith(begin) || !text.endsWith(end)) {
      throw new IllegalArgumentException("missing SSH SIGNATURE armor");
    }
    return Base64.getMimeDecoder().decode(text.substring(begin.length(), text.length() - end.length()));
  }

  private static void require(boolean condition, String what) {
    if (!condition) {
      throw new IllegalArgumentException("unsupported or inconsistent: " + what);
    }
  }

  private static void writeString(ByteArrayOutputStream out, byte[] value) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
    out.writeBytes(value);
  }

  /** Reads SSH wire encoding (RFC 4251 §5); any overrun is a malformed signature or key. */
  private static final class WireReader {
    private final ByteBuffer buffer;

    WireReader(byte[] bytes) {
      this.buffer = ByteBuffer.wrap(bytes);
    }

    byte[] raw(int length) {
      if (length < 0 || length > buffer.remaining()) {
        throw new IllegalArgumentException("truncated data");
      }
      byte[] out = new byte[length];
      buffer.get(out);
      return out;
    }

    long uint32() {
      return Integer.toUnsignedLong(ByteBuffer.wrap(raw(4)).getInt());
    }

    byte[] bytes() {
      long length = uint32();
      return raw((int) Math.min(length, Integer.MAX_VALUE));
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    BigInteger mpint() {
      return new BigInteger(bytes());
    }
  }
}
