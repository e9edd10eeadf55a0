package io.trustsync.local;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.SecretReference;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceSpec;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The trust-boundaries part of {@code bench operator}: a tenant's PolicySources pointing at a
 * server that trickles a byte a second, with the platform's commits measured while they hang,
 * and a flood of unauthenticated large webhook posts, with the operator's heap and /healthz
 * sampled throughout. The operator runs in this JVM, so its heap is measured directly.
 */
public final class HostileLoad {
  static final String TENANT = "hostile-tenant";

  /** Measures a series of commits to all-converged and returns the latencies, sorted. */
  interface Commits {
    List<Double> measure() throws Exception;
  }

  record Result(int hostileSources, double underLoadP50Ms, double underLoadP99Ms, int floodConnections, long floodBytes,
      Map<Integer, Integer> floodAnswers, long heapBeforeMb, long heapPeakMb, int healthzChecks, int healthzOk, double healthzMaxMs) {

    String json(double baselineP50, double baselineP99) {
      StringBuilder answers = new StringBuilder();
      floodAnswers.forEach((code, count) -> answers.append(answers.isEmpty() ? "" : ",").append('"').append(code).append("\":").append(count));
      return String.format(Locale.ROOT,
          "\"hostileSources\":%d,\"commitWithHostileSourcesMs\":{\"p50\":%.0f,\"p99\":%.0f},\"hostileToBaselineP99\":%.2f,"
              + "\"flood\":{\"connections\":%d,\"bytesEach\":%d,\"answers\":{%s},\"heapBeforeMb\":%d,\"heapPeakMb\":%d,"
              + "\"healthzChecks\":%d,\"healthzOk\":%d,\"healthzMaxMs\":%.0f}",
          hostileSources, underLoadP50Ms, underLoadP99Ms, baselineP99 > 0 ? underLoadP99Ms / baselineP99 : 0,
          floodConnections, floodBytes, answers, heapBeforeMb, heapPeakMb, healthzChecks, healthzOk, healthzMaxMs);
    }
  }

  private final LocalTrustSync local;
  private final Consumer<String> progress;

  HostileLoad(LocalTrustSync local, Consumer<String> progress) {
    this.local = local;
    this.progress = progress;
  }

  Result run(int hostileSources, int floodConnections, int floodBytes, Commits commits) throws Exception {
    List<Double> underLoad = List.of();
    try (HostileServer trickle = HostileServer.trickling(Duration.ofSeconds(1),
        local.git().certificateAuthority().sslContext(local.git().certificateAuthority().issueServer("127.0.0.1")))) {
      if (hostileSources > 0) {
        createHostileSources(hostileSources, trickle.port());
        Instant deadline = Instant.now().plusSeconds(60);
        while (trickle.openConnections() < Math.min(hostileSources, 2) && Instant.now().isBefore(deadline)) {
          Thread.sleep(50);
        }
        progress.accept(hostileSources + " hostile sources fetching (" + trickle.openConnections() + " trickling connections open)");
        underLoad = commits.measure();
        progress.accept("commit-to-converged with hostile sources: p50 " + OperatorBenchmark.percentile(underLoad, 50)
            + " ms, p99 " + OperatorBenchmark.percentile(underLoad, 99) + " ms; trickling connections still open: " + trickle.openConnections());
      }
    }
    Flood flood = floodConnections > 0 ? flood(floodConnections, floodBytes) : new Flood(Map.of(), 0, 0, 0, 0, 0);
    return new Result(hostileSources, OperatorBenchmark.percentile(underLoad, 50), OperatorBenchmark.percentile(underLoad, 99),
        floodConnections, floodBytes, flood.answers(), flood.heapBeforeMb(), flood.heapPeakMb(), flood.checks(), flood.ok(), flood.maxMs());
  }

  private void createHostileSources(int count, int port) {
    KubernetesClient hub = local.hub();
    hub.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(TENANT).endMetadata().build()).serverSideApply();
    hub.secrets().inNamespace(TENANT).resource(new SecretBuilder().withNewMetadata().withName("ca").withNamespace(TENANT).endMetadata()
        .withStringData(Map.of("ca.crt", local.git().certificateAuthorityPem())).build()).serverSideApply();
    for (int i = 0; i < count; i++) {
      PolicySource source = new PolicySource();
      source.setMetadata(new ObjectMetaBuilder().withName("slow-" + i).withNamespace(TENANT).build());
      source.setSpec(new PolicySourceSpec());
      source.getSpec().url = "https://127.0.0.1:" + port + "/repo-" + i + ".git";
      source.getSpec().secretRef = new SecretReference("ca");
      source.getSpec().interval = "1ms";
      source.getSpec().timeout = "5m";
      hub.resource(source).serverSideApply();
    }
  }

  private record Flood(Map<Integer, Integer> answers, long heapBeforeMb, long heapPeakMb, int checks, int ok, double maxMs) {}

  private static final Duration FLOOD = Duration.ofSeconds(10);

  /**
   * {@code connections} clients at once, each posting {@code bytes} to a hook that does not exist
   * and posting again as soon as it is answered, for {@link #FLOOD}.
   */
  private Flood flood(int connections, int bytes) throws Exception {
    System.gc();
    var memory = ManagementFactory.getMemoryMXBean();
    long before = memory.getHeapMemoryUsage().getUsed();
    long[] peak = {before};
    int[] checks = {0, 0};
    double[] maxMs = {0};
    AtomicBoolean running = new AtomicBoolean(true);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI healthz = URI.create("http://127.0.0.1:" + local.operator().metricsPort() + "/healthz");
    Thread sampler = Thread.ofPlatform().daemon().start(() -> {
      while (running.get()) {
        peak[0] = Math.max(peak[0], memory.getHeapMemoryUsage().getUsed());
        long start = System.nanoTime();
        try {
          int status = http.send(HttpRequest.newBuilder(healthz).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
          checks[1] += status == 200 ? 1 : 0;
        } catch (Exception e) {
          // a failed probe: counted as not ok
        }
        checks[0]++;
        maxMs[0] = Math.max(maxMs[0], (System.nanoTime() - start) / 1e6);
        try {
          Thread.sleep(25);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    Map<Integer, Integer> answers = new ConcurrentHashMap<>();
    Instant until = Instant.now().plus(FLOOD);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Callable<Integer>> clients = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        clients.add(() -> {
          while (Instant.now().isBefore(until)) {
            answers.merge(post(bytes), 1, Integer::sum);
          }
          return 0;
        });
      }
      pool.invokeAll(clients);
    } finally {
      running.set(false);
      sampler.join();
    }
    Map<Integer, Integer> sorted = new TreeMap<>(answers);
    progress.accept("flood of " + connections + " clients posting " + bytes + " bytes for " + FLOOD.toSeconds() + " s: answers " + sorted + ", heap " + before / (1 << 20) + " -> peak "
        + peak[0] / (1 << 20) + " MiB, /healthz ok " + checks[1] + "/" + checks[0] + ", slowest " + Math.round(maxMs[0]) + " ms");
    return new Flood(sorted, before / (1 << 20), peak[0] / (1 << 20), checks[0], checks[1], maxMs[0]);
  }

  /** Sends the headers and as much of the body as the server takes; returns its status code (0: none). */
  private int post(int bytes) {
    String line = largePost(local.operator().webhookPort(), "/hooks/" + LocalTrustSync.NAMESPACE + "/no-such-source", bytes, bytes);
    String[] parts = line.split(" ");
    try {
      return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * A webhook POST to {@code path} on loopback announcing {@code announced} body bytes and sending
   * up to {@code sent} of them, as an unauthenticated client flooding the port would; returns the
   * status line the server answered with ("" when it hung up without one).
   */
  public static String largePost(int port, String path, long announced, long sent) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: trustsync\r\nX-Hub-Signature-256: sha256=00\r\nContent-Length: " + announced
          + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = new byte[64 * 1024];
      try {
        for (long written = 0; written < sent; written += chunk.length) {
          out.write(chunk, 0, (int) Math.min(chunk.length, sent - written));
        }
        out.flush();
      } catch (java.io.IOException e) {
        // the server answered and closed without reading the body: what it should do
      }
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        line.append((char) b);
      }
      return line.toString().strip();
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
