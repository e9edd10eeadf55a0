package io.trustsync.source;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a webhook request comes from someone who knows the shared secret. Every comparison
 * is constant-time ({@link MessageDigest#isEqual}) so response timing does not leak the secret.
 * Verify the raw body bytes exactly as received, before any JSON parsing.
 */
public final class WebhookSignatures {

  private WebhookSignatures() {}

  /** GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}. */
  public static boolean gitHub(byte[] body, String signatureHeader, byte[] secret) {
    return hmacSha256Header(body, signatureHeader, secret);
  }

  /** GitLab sends the secret itself in {@code X-Gitlab-Token}. */
  public static boolean gitLab(String tokenHeader, String secret) {
    if (tokenHeader == null || secret == null || secret.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(tokenHeader.getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8));
  }

  /** Any other sender: {@code X-Signature: sha256=<hex HMAC-SHA256 of the body>}. */
  public static boolean generic(byte[] body, String signatureHeader, byte[] secret) {
    return hmacSha256Header(body, signatureHeader, secret);
  }

  /** The header value a sender computes, e.g. for tests and for documenting the scheme. */
  public static String sign(byte[] body, byte[] secret) {
    return "sha256=" + HexFormat.of().formatHex(hmacSha256(body, secret));
  }

  private static boolean hmacSha256Header(byte[] body, String header, byte[] secret) {
    if (header == null || body == null || secret == null || secret.length == 0) {
      return false; // an empty secret would let anyone sign
    }
    String value = header.trim();
    if (!value.startsWith("sha256=")) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(value.substring("sha256=".length()).toLowerCase());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(given, hmacSha256(body, secret));
  }

  private static byte[] hmacSha256(byte[] body, byte[] secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
