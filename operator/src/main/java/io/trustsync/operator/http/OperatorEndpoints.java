package io.trustsync.operator.http;

import io.trustsync.operator.shared.TrustSyncMetrics;
import io.trustsync.operator.http.BoundedHttpServer.Request;
import io.trustsync.operator.http.BoundedHttpServer.Response;
import io.trustsync.source.WebhookSignatures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * The operator's two HTTP ports. The metrics port serves {@code /metrics} (Prometheus, optionally
 * behind {@link MetricsAccess}), {@code /healthz} and {@code /readyz}; it should be reachable
 * from the monitoring stack only. The webhook port serves {@code /hooks/<namespace>/<policysource>}
 * for Git push webhooks and is what a Git host reaches through an Ingress. Separate servers with
 * separate connection limits: a flood of webhook requests cannot stop scrapes or health probes,
 * and {@code /healthz} fails when either server is wedged, so the kubelet restarts the pod.
 *
 * <p>A webhook is looked up in memory and checked from its headers before any of its body is
 * read: its size is declared and bounded, and an unknown hook and a bad signature get the same
 * answer after the same work, so nobody learns which sources have webhooks.
 */
public final class OperatorEndpoints implements AutoCloseable {
  /** Both addresses may use port 0 (tests); {@code webhooks} null serves no webhooks. */
  /**
   * Both addresses may use port 0 (tests); {@code webhooks} null serves no webhooks.
   * {@code authenticateMetrics}: scrapes need a token the hub's TokenReview and SubjectAccessReview accept.
   */
  public record Settings(InetSocketAddress metrics, InetSocketAddress webhooks, BoundedHttpServer.Limits metricsLimits,
      BoundedHttpServer.Limits webhookLimits, int maxWebhookBytes, boolean authenticateMetrics) {
    public static final int DEFAULT_MAX_WEBHOOK_BYTES = 1024 * 1024;

    public static Settings loopback() {
      return new Settings(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0),
          BoundedHttpServer.Limits.DEFAULT, BoundedHttpServer.Limits.DEFAULT, DEFAULT_MAX_WEBHOOK_BYTES, false);
    }

    public Settings withAuthenticatedMetrics(boolean authenticate) {
      return new Settings(metrics, webhooks, metricsLimits, webhookLimits, maxWebhookBytes, authenticate);
    }

    public Settings withWebhookLimits(BoundedHttpServer.Limits limits, int maxBytes) {
      return new Settings(metrics, webhooks, metricsLimits, limits, maxBytes, authenticateMetrics);
    }
  }

  private static final Response UNAUTHORIZED = Response.text(401, "unauthorized\n");
  private static final byte[] NO_KEY = new byte[32];

  private final Settings settings;
  private final MetricsAccess metricsAccess;
  private final TrustSyncMetrics metrics;
  private final Webhooks hooks;
  private final BiConsumer<String, String> fetchNow;
  private final BoundedHttpServer metricsServer;
  private final BoundedHttpServer webhookServer;

  public OperatorEndpoints(Settings settings, MetricsAccess metricsAccess, TrustSyncMetrics metrics, BooleanSupplier ready,
      Webhooks hooks, BiConsumer<String, String> fetchNow) throws IOException {
    this.settings = settings;
    this.metricsAccess = metricsAccess;
    this.metrics = metrics;
    this.hooks = hooks;
    this.fetchNow = fetchNow;
    this.webhookServer = settings.webhooks() == null ? null
        : new BoundedHttpServer("webhooks", settings.webhooks(), settings.webhookLimits(), this::webhook, metrics::httpRejected);
    try {
      this.metricsServer = new BoundedHttpServer("metrics", settings.metrics(), settings.metricsLimits(),
          request -> monitoring(request, ready), metrics::httpRejected);
    } catch (IOException e) {
      if (webhookServer != null) {
        webhookServer.close();
      }
      throw e;
    }
  }

  public int metricsPort() {
    return metricsServer.port();
  }

  public int webhookPort() {
    return webhookServer == null ? -1 : webhookServer.port();
  }

  /** Both servers accept and finish requests. */
  public boolean healthy() {
    return metricsServer.healthy() && (webhookServer == null || webhookServer.healthy());
  }

  private Response monitoring(Request request, BooleanSupplier ready) {
    return switch (request.path()) {
      case "/healthz" -> healthy() ? Response.text(200, "ok\n")
          : Response.text(503, "webhook server wedged: no request finished while every connection slot was taken\n");
      case "/readyz" -> ready.getAsBoolean() ? Response.text(200, "ok\n") : Response.text(503, "not ready\n");
      case "/metrics" -> {
        int allowed = metricsAccess.check(request.header("authorization"));
        yield switch (allowed) {
          case 200 -> new Response(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8));
          case 401 -> Response.text(401, "a bearer token is required\n");
          case 403 -> Response.text(403, "not allowed to get /metrics\n");
          default -> Response.text(503, "cannot check the token now\n");
        };
      }
      default -> Response.text(404, "not found\n");
    };
  }

  private Response webhook(Request request) throws IOException {
    String[] parts = request.path().split("/");
    if (parts.length != 4 || !parts[1].equals("hooks")) {
      metrics.webhook("rejected");
      return Response.text(404, "use /hooks/<namespace>/<policysource>\n");
    }
    if (!request.method().equals("POST")) {
      metrics.webhook("rejected");
      return Response.text(405, "POST only\n");
    }
    long length = request.contentLength();
    if (length == Long.MAX_VALUE) {
      metrics.webhook("rejected");
      return Response.text(411, "send the body with a Content-Length\n");
    }
    if (length > settings.maxWebhookBytes()) {
      metrics.webhook("too_large");
      return Response.text(413, "payload over " + settings.maxWebhookBytes() + " bytes\n");
    }
    String namespace = parts[2];
    String name = parts[3];
    String gitHub = request.header("x-hub-signature-256");
    String gitLab = request.header("x-gitlab-token");
    String generic = request.header("x-signature");
    Optional<byte[]> token = hooks.token(namespace, name);
    boolean valid;
    if (gitLab != null) {
      // GitLab sends the shared token itself: no body is needed, for a known hook or not
      request.discardBody(settings.maxWebhookBytes());
      valid = token.isPresent() && MessageDigest.isEqual(gitLab.getBytes(StandardCharsets.UTF_8), token.get());
    } else {
      // An unknown hook reads and signs the body just as a known one does (with a key nobody
      // has), so neither the answer nor its timing says which hooks exist.
      byte[] body = request.body(settings.maxWebhookBytes());
      byte[] key = token.orElse(NO_KEY);
      String signature = gitHub != null ? gitHub : generic;
      valid = signature != null && WebhookSignatures.generic(body, signature, key) && token.isPresent();
    }
    if (!valid) {
      if (token.isPresent()) {
        hooks.signatureFailed(namespace, name);
      }
      metrics.webhook("unauthorized");
      return UNAUTHORIZED;
    }
    metrics.webhook("accepted");
    fetchNow.accept(namespace, name);
    return Response.text(202, "fetch scheduled\n");
  }

  @Override
  public void close() {
    if (webhookServer != null) {
      webhookServer.close();
    }
    metricsServer.close();
  }
}
