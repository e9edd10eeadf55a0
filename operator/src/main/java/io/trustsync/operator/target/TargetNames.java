package io.trustsync.operator.target;

import io.trustsync.rendering.Ownership;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** How targets are named and labelled, in one place. */
public final class TargetNames {
  public static final String DISTRIBUTION_LABEL = Ownership.DISTRIBUTION;
  /** On targets: the MemberCluster they write to (hashed when longer than a label value may be). */
  public static final String MEMBER_LABEL = "trustsync.io/member";
  /** On targets: the distribution (name) that owns them. */
  public static final String OWNER_LABEL = "trustsync.io/owner";
  public static final String FINALIZER = "trustsync.io/cleanup";

  private TargetNames() {}

  /** {@code <distribution>.<member>}, shortened with a hash past the 253 characters a name may have. */
  public static String target(String distribution, String member) {
    String name = distribution + "." + member;
    return name.length() <= 253 ? name : name.substring(0, 240) + "-" + hash(name).substring(0, 12);
  }

  public static String labelValue(String name) {
    return name.length() <= 63 ? name : name.substring(0, 50).replaceAll("[^a-zA-Z0-9]+$", "") + "-" + hash(name).substring(0, 12);
  }

  static String hash(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
