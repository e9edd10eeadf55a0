package io.trustsync.operator.http;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who may scrape {@code /metrics}, which names revisions, certificate subjects and fingerprints.
 * {@link #OPEN}: anyone who reaches the port (the default; the shipped NetworkPolicy limits who
 * can). {@link #kubernetes}: a bearer token that the hub's TokenReview accepts and whose user a
 * SubjectAccessReview allows {@code get} on the non-resource URL {@code /metrics}, as
 * kube-rbac-proxy does. Answers are cached per token for a minute (denials for ten seconds), so a
 * scrape costs no API call once cached.
 */
public interface MetricsAccess {

  /** 200 (allowed), 401 (no or bad token) or 403 (token fine, not allowed). */
  int check(String authorization);

  MetricsAccess OPEN = authorization -> 200;

  static MetricsAccess kubernetes(KubernetesClient hub) {
    return new Kubernetes(hub);
  }

  /**
   * At most {@code REVIEWS} token checks at once, each with a short timeout: a flood of made-up
   * tokens is answered 503 at once instead of holding connection slots on API calls.
   */
  final class Kubernetes implements MetricsAccess, AutoCloseable {
    private static final int REVIEWS = 4;
    private final java.util.concurrent.Semaphore reviews = new java.util.concurrent.Semaphore(REVIEWS);
    private static final long ALLOWED_NANOS = 60_000_000_000L;
    private static final long DENIED_NANOS = 10_000_000_000L;
    private static final int CACHE = 256;

    private record Decision(int status, long until) {}

    private final KubernetesClient hub;
    private final Map<String, Decision> cache = new LinkedHashMap<>(CACHE, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Decision> eldest) {
        return size() > CACHE;
      }
    };

    Kubernetes(KubernetesClient hub) {
      this.hub = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(
          hub.getConfiguration()).withRequestTimeout(3_000).withConnectionTimeout(2_000).withRequestRetryBackoffLimit(0).build()).build();
    }

    @Override
    public void close() {
      hub.close();
    }

    @Override
    public int check(String authorization) {
      if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() < 8) {
        return 401;
      }
      String token = authorization.substring(7).trim();
      String key = sha256(token);
      long now = System.nanoTime();
      synchronized (cache) {
        Decision cached = cache.get(key);
        if (cached != null && now - cached.until() < 0) {
          return cached.status();
        }
      }
      if (!reviews.tryAcquire()) {
        return 503;
      }
      int status;
      try {
        status = review(token);
      } catch (RuntimeException e) {
        return 503; // the hub did not answer: say so, cache nothing
      } finally {
        reviews.release();
      }
      synchronized (cache) {
        cache.put(key, new Decision(status, now + (status == 200 ? ALLOWED_NANOS : DENIED_NANOS)));
      }
      return status;
    }

    private int review(String token) {
      TokenReview review = hub.resource(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build()).create();
      if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
        return 401;
      }
      var user = review.getStatus().getUser();
      SubjectAccessReview access = hub.resource(new SubjectAccessReviewBuilder().withNewSpec()
          .withUser(user.getUsername()).withGroups(user.getGroups()).withUid(user.getUid())
          .withNewNonResourceAttributes().withPath("/metrics").withVerb("get").endNonResourceAttributes()
          .endSpec().build()).create();
      return access.getStatus() != null && Boolean.TRUE.equals(access.getStatus().getAllowed()) ? 200 : 403;
    }

    private static String sha256(String text) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
