package io.trustsync.signature;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * The six signature algorithms of the Notary Project (notation-core-go internal/algorithm), each
 * tied to one key type and size: RSA 2048/3072/4096 sign with PS256/PS384/PS512, EC P-256/P-384/
 * P-521 with ES256/ES384/ES512. An envelope whose algorithm is not the one of its leaf key is
 * invalid.
 */
public enum SignatureAlgorithm {
  PS256("PS256", -37, "SHA-256", 32, false, 2048),
  PS384("PS384", -38, "SHA-384", 48, false, 3072),
  PS512("PS512", -39, "SHA-512", 64, false, 4096),
  ES256("ES256", -7, "SHA-256", 32, true, 256),
  ES384("ES384", -35, "SHA-384", 48, true, 384),
  ES512("ES512", -36, "SHA-512", 64, true, 521);

  private final String jwsName;
  private final long coseLabel;
  private final String hash;
  private final int hashLength;
  private final boolean ec;
  private final int keyBits;

  SignatureAlgorithm(String jwsName, long coseLabel, String hash, int hashLength, boolean ec, int keyBits) {
    this.jwsName = jwsName;
    this.coseLabel = coseLabel;
    this.hash = hash;
    this.hashLength = hashLength;
    this.ec = ec;
    this.keyBits = keyBits;
  }

  public String jwsName() {
    return jwsName;
  }

  public long coseLabel() {
    return coseLabel;
  }

  public static Optional<SignatureAlgorithm> ofJws(String name) {
    return Arrays.stream(values()).filter(a -> a.jwsName.equals(name)).findFirst();
  }

  public static Optional<SignatureAlgorithm> ofCose(long label) {
    return Arrays.stream(values()).filter(a -> a.coseLabel == label).findFirst();
  }

  /**
   * The algorithm a certificate's key must sign with (ExtractKeySpec then SignatureAlgorithm), or
   * empty with no supported key: RSA of another size, another curve, another key type.
   */
  public static Optional<SignatureAlgorithm> ofKey(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      // Go: key.Size() << 3, the modulus length in whole bytes.
      int bits = ((rsa.getModulus().bitLength() + 7) / 8) * 8;
      return Arrays.stream(values()).filter(a -> !a.ec && a.keyBits == bits).findFirst();
    }
    if (key instanceof ECPublicKey ecKey && isNistCurve(ecKey.getParams())) {
      int bits = ecKey.getParams().getCurve().getField().getFieldSize();
      return Arrays.stream(values()).filter(a -> a.ec && a.keyBits == bits).findFirst();
    }
    return Optional.empty();
  }

  /** crypto/x509 parses EC keys on P-256, P-384 and P-521 only (P-224 too, which no algorithm uses). */
  private static boolean isNistCurve(ECParameterSpec params) {
    for (String name : new String[] {"secp256r1", "secp384r1", "secp521r1"}) {
      try {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(name));
        ECParameterSpec nist = parameters.getParameterSpec(ECParameterSpec.class);
        if (nist.getCurve().equals(params.getCurve()) && nist.getGenerator().equals(params.getGenerator())) {
          return true;
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK lacks the NIST curve " + name, e);
      }
    }
    return false;
  }

  /** Describes a key the Notary Project does not sign with, in notation-core-go's words. */
  static String unsupportedKey(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return "rsa key size " + ((rsa.getModulus().bitLength() + 7) / 8) * 8 + " bits is not supported";
    }
    if (key instanceof ECPublicKey ecKey) {
      return "ecdsa key size " + ecKey.getParams().getCurve().getField().getFieldSize() + " bits is not supported";
    }
    return "unsupported public key type";
  }

  /**
   * Whether {@code signature} is this algorithm's signature of {@code signed} by {@code key}.
   * ECDSA signatures are r||s, each as long as the curve's order in bytes, as JWS and COSE write
   * them. RSASSA-PSS uses MGF1 with the same hash; {@code anySaltLength} accepts any salt length
   * (golang-jwt verifies JWS with rsa.PSSSaltLengthAuto), otherwise the salt must be as long as the
   * hash (go-cose).
   */
  boolean verify(PublicKey key, byte[] signed, byte[] signature, boolean anySaltLength) {
    try {
      if (ec) {
        if (!(key instanceof ECPublicKey ecKey)) {
          return false;
        }
        int size = (keyBits + 7) / 8;
        // golang-jwt checks the length against the algorithm, go-cose against the curve; both equal here
        // unless the algorithm is not the key's, which validation rejects anyway.
        if (signature.length != 2 * size || (ecKey.getParams().getCurve().getField().getFieldSize() + 7) / 8 != size) {
          return false;
        }
        Signature verifier = Signature.getInstance(hash.replace("-", "") + "withECDSA");
        verifier.initVerify(key);
        verifier.update(signed);
        return verifier.verify(der(signature, size));
      }
      return key instanceof RSAPublicKey rsa && verifyPss(rsa, signed, signature, anySaltLength);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** RFC 8017 RSASSA-PSS-VERIFY with MGF1(hash), as Go's rsa.VerifyPSS. */
  private boolean verifyPss(RSAPublicKey key, byte[] message, byte[] signature, boolean anySaltLength) throws GeneralSecurityException {
    BigInteger n = key.getModulus();
    int k = (n.bitLength() + 7) / 8;
    if (signature.length != k) {
      return false;
    }
    BigInteger s = new BigInteger(1, signature);
    if (s.compareTo(n) >= 0) {
      return false;
    }
    int emBits = n.bitLength() - 1;
    int emLen = (emBits + 7) / 8;
    byte[] m = s.modPow(key.getPublicExponent(), n).toByteArray();
    byte[] em = new byte[emLen];
    int start = 0;
    while (start < m.length - 1 && m[start] == 0) {
      start++;
    }
    if (m.length - start > emLen) {
      return false;
    }
    System.arraycopy(m, start, em, emLen - (m.length - start), m.length - start);
    MessageDigest digest = MessageDigest.getInstance(hash);
    byte[] mHash = digest.digest(message);
    if (emLen < hashLength + 2 || em[emLen - 1] != (byte) 0xbc) {
      return false;
    }
    int dbLen = emLen - hashLength - 1;
    byte[] db = Arrays.copyOfRange(em, 0, dbLen);
    byte[] h = Arrays.copyOfRange(em, dbLen, dbLen + hashLength);
    int unusedBits = 8 * emLen - emBits;
    int topMask = 0xff >>> unusedBits;
    if ((db[0] & ~topMask & 0xff) != 0) {
      return false;
    }
    byte[] mask = mgf1(h, dbLen, digest);
    for (int i = 0; i < dbLen; i++) {
      db[i] ^= mask[i];
    }
    db[0] &= (byte) topMask;
    int saltLength;
    if (anySaltLength) {
      int one = -1;
      for (int i = 0; i < dbLen; i++) {
        if (db[i] == 1) {
          one = i;
          break;
        }
      }
      if (one < 0) {
        return false;
      }
      saltLength = dbLen - one - 1;
    } else {
      saltLength = hashLength;
    }
    int psLength = dbLen - saltLength - 1;
    if (psLength < 0) {
      return false;
    }
    for (int i = 0; i < psLength; i++) {
      if (db[i] != 0) {
        return false;
      }
    }
    if (db[psLength] != 1) {
      return false;
    }
    digest.update(new byte[8]);
    digest.update(mHash);
    digest.update(db, dbLen - saltLength, saltLength);
    return MessageDigest.isEqual(h, digest.digest());
  }

  private static byte[] mgf1(byte[] seed, int length, MessageDigest digest) {
    byte[] out = new byte[length];
    int written = 0;
    for (int counter = 0; written < length; counter++) {
      digest.update(seed);
      digest.update(new byte[] {(byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8), (byte) counter});
      byte[] block = digest.digest();
      int n = Math.min(block.length, length - written);
      System.arraycopy(block, 0, out, written, n);
      written += n;
    }
    return out;
  }

  /** r||s (each {@code size} bytes) as the DER SEQUENCE of two INTEGERs JCA verifies. */
  private static byte[] der(byte[] raw, int size) {
    byte[] r = integer(Arrays.copyOfRange(raw, 0, size));
    byte[] s = integer(Arrays.copyOfRange(raw, size, 2 * size));
    byte[] body = new byte[r.length + s.length];
    System.arraycopy(r, 0, body, 0, r.length);
    System.arraycopy(s, 0, body, r.length, s.length);
    return tlv(0x30, body);
  }

  private static byte[] integer(byte[] unsigned) {
    return tlv(0x02, new BigInteger(1, unsigned).toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    byte[] length = value.length < 0x80 ? new byte[] {(byte) value.length}
        : value.length < 0x100 ? new byte[] {(byte) 0x81, (byte) value.length}
        : new byte[] {(byte) 0x82, (byte) (value.length >>> 8), (byte) value.length};
    byte[] out = new byte[1 + length.length + value.length];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(value, 0, out, 1 + length.length, value.length);
    return out;
  }
}
