package io.trustsync.rendering;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The labels and annotations every rendered object carries: who owns it, which environment and
 * revision it came from, and a hash of its content that drift detection compares.
 */
public final class Ownership {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "trustsync";
  public static final String ENVIRONMENT = "trustsync.io/environment";
  public static final String PROFILE = "trustsync.io/profile";
  public static final String SOURCE_REVISION = "trustsync.io/source-revision";
  public static final String SOURCE_PATH = "trustsync.io/source-path";
  public static final String CONTENT_HASH = "trustsync.io/content-hash";
  /** The one ownership label the operator prunes, deletes and watches by: {@code <namespace>.<distribution>}. */
  public static final String DISTRIBUTION = "trustsync.io/distribution";

  private Ownership() {}

  public static Map<String, String> labels(RenderRequest request, Profile profile) {
    Map<String, String> labels = new TreeMap<>(request.extraLabels());
    labels.put(MANAGED_BY, MANAGER);
    labels.put(ENVIRONMENT, request.environment());
    labels.put(PROFILE, profile.id());
    return labels;
  }

  /**
   * Stamps source annotations and the content hash. The hash covers everything but the
   * annotations themselves, so a new revision that changes nothing keeps the same hash.
   */
  public static ObjectNode stamp(ObjectNode manifest, String revision, String sourcePath) {
    ObjectNode metadata = (ObjectNode) manifest.get("metadata");
    // a profile's own annotations (e.g. where a ConfigMap belongs) are content: hashed and kept
    Map<String, String> annotations = new TreeMap<>();
    if (metadata.get("annotations") instanceof ObjectNode own) {
      own.properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
      annotations.keySet().removeAll(java.util.Set.of(CONTENT_HASH, SOURCE_REVISION, SOURCE_PATH));
    }
    metadata.remove("annotations");
    if (!annotations.isEmpty()) {
      ObjectNode own = metadata.putObject("annotations");
      annotations.forEach(own::put);
    }
    String hash = "sha256:" + sha256(ManifestWriter.canonicalJson(manifest));
    metadata.remove("annotations");
    annotations.put(CONTENT_HASH, hash);
    if (revision != null && !revision.isEmpty()) {
      annotations.put(SOURCE_REVISION, revision);
    }
    if (sourcePath != null && !sourcePath.isEmpty()) {
      annotations.put(SOURCE_PATH, sourcePath);
    }
    ObjectNode annotationNode = metadata.putObject("annotations");
    annotations.forEach(annotationNode::put);
    return manifest;
  }

  /** The {@link #DISTRIBUTION} label value; label values are at most 63 characters, so long pairs are shortened with a hash. */
  public static String distributionLabel(String namespace, String name) {
    String value = namespace + "." + name;
    if (value.length() <= 63) {
      return value;
    }
    String hash = sha256(value).substring(0, 10);
    return value.substring(0, 62 - hash.length()).replaceAll("[^a-z0-9]+$", "") + "-" + hash;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
