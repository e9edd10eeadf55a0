package io.trustsync.operator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.operator.TrustSyncMetrics;
import io.trustsync.source.WebhookSignatures;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP port: {@code /metrics} (Prometheus), {@code /healthz}, {@code /readyz},
 * and {@code /hooks/<namespace>/<policysource>} for Git push webhooks. A webhook is acted on only
 * when its signature checks out against the PolicySource's webhook Secret (GitHub
 * X-Hub-Signature-256, GitLab X-Gitlab-Token, or a generic X-Signature HMAC).
 */
public final class OperatorEndpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorEndpoints.class);
  private static final int MAX_BODY = 5 * 1024 * 1024;

  private final HttpServer server;

  public OperatorEndpoints(InetSocketAddress address, TrustSyncMetrics metrics, BooleanSupplier ready, KubernetesClient hub,
      BiConsumer<String, String> fetchNow) throws IOException {
    server = HttpServer.create(address, 64);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", exchange -> {
      boolean ok = ready.getAsBoolean();
      respond(exchange, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "not ready\n");
    });
    server.createContext("/hooks/", exchange -> webhook(exchange, hub, fetchNow));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void webhook(HttpExchange exchange, KubernetesClient hub, BiConsumer<String, String> fetchNow) throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      respond(exchange, 405, "text/plain", "POST only\n");
      return;
    }
    String[] parts = exchange.getRequestURI().getPath().split("/");
    if (parts.length != 4) {
      respond(exchange, 404, "text/plain", "use /hooks/<namespace>/<policysource>\n");
      return;
    }
    String namespace = parts[2];
    String name = parts[3];
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      respond(exchange, 413, "text/plain", "payload too large\n");
      return;
    }
    PolicySource source;
    try {
      source = hub.resources(PolicySource.class).inNamespace(namespace).withName(name).get();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      source = null; // e.g. a namespace this replica may not read: answer as for a missing source
    }
    if (source == null || source.getSpec() == null || source.getSpec().webhookSecretRef == null) {
      // Same answer whether the source is missing or has no webhook: do not reveal which exist.
      respond(exchange, 404, "text/plain", "no webhook for this path\n");
      return;
    }
    var secret = hub.secrets().inNamespace(namespace).withName(source.getSpec().webhookSecretRef.name).get();
    String token = secret == null ? null : io.trustsync.operator.SecretData.of(secret).get("token");
    token = token == null ? null : token.trim();
    if (token == null || token.isEmpty()) {
      LOG.warn("webhook for {}/{}: Secret {} has no key 'token'", namespace, name, source.getSpec().webhookSecretRef.name);
      respond(exchange, 500, "text/plain", "webhook secret not configured\n");
      return;
    }
    byte[] key = token.getBytes(StandardCharsets.UTF_8);
    var headers = exchange.getRequestHeaders();
    boolean valid = headers.getFirst("X-Hub-Signature-256") != null
        ? WebhookSignatures.gitHub(body, headers.getFirst("X-Hub-Signature-256"), key)
        : headers.getFirst("X-Gitlab-Token") != null
            ? WebhookSignatures.gitLab(headers.getFirst("X-Gitlab-Token"), token)
            : headers.getFirst("X-Signature") != null && WebhookSignatures.generic(body, headers.getFirst("X-Signature"), key);
    if (!valid) {
      respond(exchange, 401, "text/plain", "signature does not match\n");
      return;
    }
    fetchNow.accept(namespace, name);
    respond(exchange, 202, "text/plain", "fetch scheduled\n");
  }

  private static void respond(HttpExchange exchange, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
