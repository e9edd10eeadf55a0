package io.trustsync.operator.target;

import io.trustsync.operator.source.AcceptedRevision;
import io.trustsync.rendering.Profile;
import io.trustsync.rendering.ProfileOptions;
import io.trustsync.rendering.RenderRequest;
import io.trustsync.rendering.RenderedObject;
import io.trustsync.rendering.Rendering;
import io.trustsync.validation.AcceptedEnvironment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renderings of accepted revisions, made once per (revision, environment, profile, namespace,
 * distribution) however many clusters get them, and never copied into targets: a target names
 * its revision and the digest of what it gets. Objects carry the content digest but not the
 * revision (that lives in the target's status), so a commit that changes nothing a cluster gets
 * renders the same bytes and digest, and nothing is written.
 */
public final class Renderings {
  /** A rendering and its digest: the SHA-256 of every object's id and content hash, in order. */
  public record Rendered(Rendering rendering, String digest) {
    public List<RenderedObject> objects() {
      return rendering.objects();
    }
  }

  private static final int MAX_ENTRIES = 4096;

  private final Map<String, Rendered> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Rendered> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /** The rendering of {@code environment} of the revision into {@code namespace}, labelled for the distribution. */
  public Rendered of(AcceptedRevision revision, AcceptedEnvironment environment, Profile profile, ProfileOptions options, String namespace,
      String distributionLabel) {
    String key = revision.source() + "|" + revision.revision() + "|" + environment.name() + "|" + profile.id() + "|" + options.cacheKey() + "|"
        + namespace + "|" + distributionLabel;
    synchronized (cache) {
      Rendered cached = cache.get(key);
      if (cached != null) {
        return cached;
      }
    }
    Rendering rendering = profile.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), null, namespace,
        Map.of(TargetNames.DISTRIBUTION_LABEL, distributionLabel), options));
    Rendered rendered = new Rendered(rendering, digest(rendering.objects()));
    synchronized (cache) {
      cache.put(key, rendered);
    }
    return rendered;
  }

  /**
   * Drops the renderings of a source's revisions other than {@code revisions} (those still loaded:
   * the current one and the few before it, which stages not reached yet and rollbacks use). Nothing
   * renders an older one again, and a fleet with a namespace per cluster would otherwise keep a
   * thousand renderings per past commit.
   */
  public void retainOnly(String source, java.util.Set<String> revisions) {
    String ofSource = source + "|";
    synchronized (cache) {
      cache.keySet().removeIf(key -> key.startsWith(ofSource)
          && !revisions.contains(key.substring(ofSource.length(), key.indexOf('|', ofSource.length()))));
    }
  }

  /**
   * The rendering plus the Constraint of each enforcement scope (the admission controller's
   * switch), and the digest of both: what a target's cluster gets. Not cached: the Constraints
   * differ from cluster to cluster while a scope moves from warn to deny, and are a few bytes.
   */
  public static Rendered withEnforcement(Rendered rendered, List<io.trustsync.crd.target.TrustDistributionTargetSpec.Enforcement> enforcement,
      String distributionLabel, String environment) {
    if (enforcement == null || enforcement.isEmpty()) {
      return rendered;
    }
    var json = io.trustsync.rendering.ManifestWriter.json();
    List<RenderedObject> objects = new java.util.ArrayList<>(rendered.objects());
    Map<String, String> labels = Map.of(TargetNames.DISTRIBUTION_LABEL, distributionLabel, io.trustsync.rendering.Ownership.ENVIRONMENT, environment);
    for (var scope : enforcement) {
      objects.add(io.trustsync.rendering.GatekeeperConstraint.render(scope.constraint, scope.action,
          scope.namespaceSelector == null ? null : json.valueToTree(scope.namespaceSelector), scope.excludedNamespaces, labels));
    }
    return new Rendered(new Rendering(rendered.rendering().profile(), objects, rendered.rendering().warnings()), digest(objects));
  }

  /** How many renderings are cached: for tests and the benchmark. */
  public int size() {
    synchronized (cache) {
      return cache.size();
    }
  }

  static String digest(List<RenderedObject> objects) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (RenderedObject object : objects) {
        sha.update((object.id() + "=" + object.contentHash() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return "sha256:" + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
