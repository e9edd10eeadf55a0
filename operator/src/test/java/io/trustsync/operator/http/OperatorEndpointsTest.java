package io.trustsync.operator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustsync.operator.shared.TrustSyncMetrics;
import io.trustsync.source.WebhookSignatures;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The operator's HTTP ports against clients that flood, stall and forge, on real sockets. */
class OperatorEndpointsTest {
  private static final byte[] TOKEN = "s3cret".getBytes(StandardCharsets.UTF_8);
  private final List<String> fetched = new CopyOnWriteArrayList<>();
  private final List<String> rereads = new CopyOnWriteArrayList<>();
  private final CountDownLatch unblock = new CountDownLatch(1);
  private final HttpClient http = HttpClient.newHttpClient();
  private OperatorEndpoints endpoints;
  private final List<Socket> sockets = new ArrayList<>();

  private final Webhooks hooks = new Webhooks() {
    @Override
    public Optional<byte[]> token(String namespace, String name) {
      return Map.of("team/policies", TOKEN).entrySet().stream().filter(e -> e.getKey().equals(namespace + "/" + name))
          .map(Map.Entry::getValue).findFirst();
    }

    @Override
    public void signatureFailed(String namespace, String name) {
      rereads.add(namespace + "/" + name);
    }
  };

  private OperatorEndpoints start(BoundedHttpServer.Limits webhookLimits, MetricsAccess access, boolean blockingFetch) throws IOException {
    OperatorEndpoints.Settings settings = new OperatorEndpoints.Settings(new InetSocketAddress("127.0.0.1", 0),
        new InetSocketAddress("127.0.0.1", 0), BoundedHttpServer.Limits.DEFAULT, webhookLimits, 1024 * 1024, false);
    endpoints = new OperatorEndpoints(settings, access, new TrustSyncMetrics(), () -> true, hooks, (namespace, name) -> {
      fetched.add(namespace + "/" + name);
      if (blockingFetch) {
        try {
          unblock.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    return endpoints;
  }

  @AfterEach
  void stop() throws IOException {
    unblock.countDown();
    for (Socket socket : sockets) {
      socket.close();
    }
    if (endpoints != null) {
      endpoints.close();
    }
  }

  private HttpResponse<String> post(String path, Map<String, String> headers, byte[] body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.webhookPort() + path))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anUnknownHookAndABadSignatureGetTheSameAnswerAndOnlyAValidOneFetches() throws Exception {
    start(BoundedHttpServer.Limits.DEFAULT, MetricsAccess.OPEN, false);
    byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
    String forged = WebhookSignatures.sign(body, "guess".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> unknown = post("/hooks/team/nothing-here", Map.of("X-Hub-Signature-256", forged), body);
    HttpResponse<String> bad = post("/hooks/team/policies", Map.of("X-Hub-Signature-256", forged), body);
    HttpResponse<String> badGitLab = post("/hooks/team/policies", Map.of("X-Gitlab-Token", "guess"), body);
    HttpResponse<String> good = post("/hooks/team/policies", Map.of("X-Hub-Signature-256", WebhookSignatures.sign(body, TOKEN)), body);

    assertThat(List.of(unknown.statusCode(), bad.statusCode(), badGitLab.statusCode())).containsOnly(401);
    assertThat(unknown.body()).isEqualTo(bad.body()).isEqualTo(badGitLab.body());
    assertThat(unknown.headers().map()).containsOnlyKeys(bad.headers().map().keySet());
    assertThat(good.statusCode()).isEqualTo(202);
    assertThat(fetched).containsExactly("team/policies");
    assertThat(rereads).as("a failed signature makes the registry re-read that Secret").contains("team/policies");
  }

  @Test
  void aBodyOverTheLimitIsRefusedFromItsHeadersBeforeAByteOfItIsSent() throws Exception {
    start(BoundedHttpServer.Limits.DEFAULT, MetricsAccess.OPEN, false);
    for (String path : List.of("/hooks/team/nothing-here", "/hooks/team/policies")) {
      try (Socket socket = connect(endpoints.webhookPort())) {
        socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=00\r\n"
            + "Content-Length: 5242880\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();

        assertThat(statusLine(socket)).isEqualTo("HTTP/1.1 413 Content Too Large");
      }
    }
    try (Socket socket = connect(endpoints.webhookPort())) {
      socket.getOutputStream().write(("POST /hooks/team/policies HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=00\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      assertThat(statusLine(socket)).isEqualTo("HTTP/1.1 411 Length Required");
    }
    assertThat(fetched).isEmpty();
  }

  @Test
  void connectionsOverTheLimitAreTurnedAwayAndIdleOnesClosedWhileScrapesGoOn() throws Exception {
    start(new BoundedHttpServer.Limits(4, Duration.ofSeconds(5), Duration.ofSeconds(2)), MetricsAccess.OPEN, false);
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      idle.add(connect(endpoints.webhookPort()));
      idle.get(i).getOutputStream().write("POST /hooks/team/policies HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      try (Socket extra = connect(endpoints.webhookPort())) {
        assertThat(statusLine(extra)).isEqualTo("HTTP/1.1 503 Service Unavailable");
      }
    });

    assertThat(get(endpoints.metricsPort(), "/healthz", null).statusCode()).isEqualTo(200);
    assertThat(get(endpoints.metricsPort(), "/metrics", null).body()).contains("trustsync_http_connections_rejected_total{server=\"webhooks\"}");
    for (Socket socket : idle) {
      // the request deadline closes each one; no idle client holds a slot for long
      await().atMost(Duration.ofSeconds(15)).until(() -> read(socket) < 0);
    }
    assertThat(post("/hooks/team/policies", Map.of("X-Gitlab-Token", "s3cret"), new byte[0]).statusCode()).isEqualTo(202);
  }

  @Test
  void aClientThatTricklesItsHeadersIsCutOffAtTheRequestDeadline() throws Exception {
    start(new BoundedHttpServer.Limits(4, Duration.ofSeconds(5), Duration.ofSeconds(2)), MetricsAccess.OPEN, false);
    Socket slow = connect(endpoints.webhookPort());
    long start = System.nanoTime();
    OutputStream out = slow.getOutputStream();
    boolean cut = false;
    for (byte b : "POST /hooks/team/policies HTTP/1.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.ISO_8859_1)) {
      try {
        out.write(b);
        out.flush();
      } catch (IOException e) {
        cut = true;
        break;
      }
      if (read(slow) < 0) {
        cut = true;
        break;
      }
    }
    assertThat(cut).as("the server hung up on the trickling client").isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void healthzFailsWhileTheWebhookServerIsWedgedAndRecoversAfter() throws Exception {
    start(new BoundedHttpServer.Limits(2, Duration.ofSeconds(5), Duration.ofMillis(500)), MetricsAccess.OPEN, true);
    for (int i = 0; i < 2; i++) {
      Thread.ofVirtual().start(() -> {
        try {
          post("/hooks/team/policies", Map.of("X-Gitlab-Token", "s3cret"), new byte[0]);
        } catch (Exception e) {
          // the server hangs up at its deadline; the handler stays stuck
        }
      });
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> fetched.size() == 2);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(endpoints.metricsPort(), "/healthz", null).statusCode()).isEqualTo(503));
    unblock.countDown();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(endpoints.metricsPort(), "/healthz", null).statusCode()).isEqualTo(200));
  }

  @Test
  void metricsNeedWhatTheAccessCheckAllows() throws Exception {
    start(BoundedHttpServer.Limits.DEFAULT, authorization -> authorization == null ? 401 : authorization.equals("Bearer prometheus") ? 200 : 403, false);

    assertThat(get(endpoints.metricsPort(), "/metrics", null).statusCode()).isEqualTo(401);
    assertThat(get(endpoints.metricsPort(), "/metrics", "Bearer someone").statusCode()).isEqualTo(403);
    assertThat(get(endpoints.metricsPort(), "/metrics", "Bearer prometheus").statusCode()).isEqualTo(200);
    assertThat(get(endpoints.metricsPort(), "/healthz", null).statusCode()).as("probes need no token").isEqualTo(200);
    assertThat(get(endpoints.webhookPort(), "/metrics", "Bearer prometheus").statusCode()).as("no metrics on the webhook port").isEqualTo(404);
  }

  @Test
  void oversizedRequestHeadersAreRefused() throws Exception {
    start(BoundedHttpServer.Limits.DEFAULT, MetricsAccess.OPEN, false);
    try (Socket socket = connect(endpoints.webhookPort())) {
      StringBuilder head = new StringBuilder("POST /hooks/team/policies HTTP/1.1\r\n");
      for (int i = 0; i < 200; i++) {
        head.append("X-Header-").append(i).append(": ").append("v".repeat(100)).append("\r\n");
      }
      socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      assertThat(statusLine(socket)).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
    }
  }

  private Socket connect(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(10_000);
    sockets.add(socket);
    return socket;
  }

  /** A byte if one is there within 100 ms, 0 if none yet, -1 at end of stream. */
  private static int read(Socket socket) {
    try {
      socket.setSoTimeout(100);
      InputStream in = socket.getInputStream();
      return in.read() < 0 ? -1 : 1;
    } catch (java.net.SocketTimeoutException e) {
      return 0;
    } catch (IOException e) {
      return -1;
    }
  }

  private static String statusLine(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
