package io.trustsync.rendering;

import java.util.Map;

/**
 * What the admission controller that reads an object says about it, from the object's own
 * status: Ratify v1 writes {@code status.issuccess} with {@code brieferror}/{@code error}, Ratify
 * v2 {@code status.succeeded} with {@code briefError}/{@code error}. TrustSync's native kinds
 * have no consumer of their own, so they are accepted once applied.
 */
public record ConsumerStatus(Verdict verdict, String message) {
  public enum Verdict {
    /** The kind has no consumer status: applied is all there is. */
    NONE,
    /** The consumer has not reported on the object yet (not installed, or not there yet). */
    PENDING,
    ACCEPTED,
    REJECTED
  }

  private static final int MAX_MESSAGE = 300;
  private static final String RATIFY_V1_GROUP = "config.ratify.deislabs.io";
  private static final String RATIFY_V2_GROUP = "config.ratify.sh";

  /** Whether a consumer reports on objects of this kind in their status (Ratify's kinds). */
  public static boolean reportedOn(RenderedKind kind) {
    return kind.group().equals(RATIFY_V1_GROUP) || kind.group().equals(RATIFY_V2_GROUP);
  }

  /** The consumer's verdict on {@code kind}, given the live object's {@code status} (null when it has none). */
  public static ConsumerStatus of(RenderedKind kind, Map<String, Object> status) {
    if (!reportedOn(kind)) {
      return new ConsumerStatus(Verdict.NONE, null);
    }
    boolean v1 = kind.group().equals(RATIFY_V1_GROUP);
    String flag = v1 ? "issuccess" : "succeeded";
    String brief = v1 ? "brieferror" : "briefError";
    String full = "error";
    if (status == null || !(status.get(flag) instanceof Boolean success)) {
      return new ConsumerStatus(Verdict.PENDING, "Ratify has not reported on it yet (status." + flag + " is not set)");
    }
    if (success) {
      return new ConsumerStatus(Verdict.ACCEPTED, null);
    }
    Object text = status.get(brief) instanceof String b && !b.isBlank() ? b : status.get(full);
    String message = text instanceof String s && !s.isBlank() ? s.strip() : "no error message";
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE) + "…";
    }
    return new ConsumerStatus(Verdict.REJECTED, "Ratify rejected it (status." + flag + ": false): " + message);
  }
}
