package io.trustsync.local;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.trustsync.operator.target.TargetReconciler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Measures the operator on real API servers: how long a pushed commit takes to be live in every
 * cluster (webhook-triggered), and how long drift takes to be seen and put back. With more
 * registered clusters than API servers, MemberClusters share the member API servers and each gets
 * its own target namespace (targetNamespace {@code bench-${cluster}}).
 */
public final class OperatorBenchmark {
  /**
   * {@code hostileSources}: after the plain commits, that many PolicySources of a tenant point at a
   * server that trickles a byte a second, and the commits are measured again.
   * {@code floodConnections}: then that many concurrent unauthenticated webhook posts of
   * {@code floodBytes} each, while the operator's heap and /healthz are sampled.
   */
  public record Options(int members, int clusters, int commits, int drifts, Path repository, int hostileSources,
      int floodConnections, int floodBytes) {
    public Options(int members, int clusters, int commits, int drifts, Path repository) {
      this(members, clusters, commits, drifts, repository, 0, 0, 0);
    }
  }

  public record Result(int memberApiServers, int clusters, int objectsPerCluster, int commits, double commitP50Ms, double commitP99Ms,
      double commitMaxMs, int drifts, double driftDetectedP50Ms, double driftDetectedP99Ms, double driftCorrectedP50Ms,
      double driftCorrectedP99Ms, long heapUsedMb, long rssMb, long setupMs, HostileLoad.Result hostile) {

    public String json() {
      return String.format(java.util.Locale.ROOT,
          "{\"memberApiServers\":%d,\"clusters\":%d,\"objectsPerCluster\":%d,\"commits\":%d,\"commitToAllConvergedMs\":{\"p50\":%.0f,\"p99\":%.0f,\"max\":%.0f},"
              + "\"drifts\":%d,\"driftDetectedMs\":{\"p50\":%.0f,\"p99\":%.0f},\"driftCorrectedMs\":{\"p50\":%.0f,\"p99\":%.0f},"
              + "\"operatorHeapUsedMb\":%d,\"processRssMb\":%d,\"setupMs\":%d%s}",
          memberApiServers, clusters, objectsPerCluster, commits, commitP50Ms, commitP99Ms, commitMaxMs, drifts, driftDetectedP50Ms,
          driftDetectedP99Ms, driftCorrectedP50Ms, driftCorrectedP99Ms, heapUsedMb, rssMb, setupMs,
          hostile == null ? "" : "," + hostile.json(commitP50Ms, commitP99Ms));
    }
  }

  private record Applied(String revision, Instant at) {}

  private static final String POLICY = "environments/production/trustpolicy.json";
  private final Map<String, Applied> applied = new ConcurrentHashMap<>();
  private final Map<String, Instant> detected = new ConcurrentHashMap<>();
  private final Map<String, Instant> corrected = new ConcurrentHashMap<>();

  public Result run(Options options, Consumer<String> progress) throws Exception {
    Instant setupStart = Instant.now();
    try (LocalTrustSync local = LocalTrustSync.start(options.members(), progress)) {
      local.operator().addObserver(new TargetReconciler.Observer() {
        @Override
        public void driftDetected(String distribution, String cluster, String object, String change, List<String> fields, boolean willCorrect) {
          detected.putIfAbsent(cluster, Instant.now());
        }

        @Override
        public void driftCorrected(String distribution, String cluster, String object, Duration sinceDetected) {
          corrected.putIfAbsent(cluster, Instant.now());
        }

        @Override
        public void applied(String distribution, String cluster, String revision, Instant commitTime) {
          applied.put(cluster, new Applied(revision, Instant.now()));
        }
      });
      boolean shared = options.clusters() > options.members();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < options.clusters(); i++) {
        String name = "bench-" + i;
        names.add(name);
        local.register(local.fleet().member(i % options.members()), name, Map.of("bench", "true"));
      }
      SortedMap<String, byte[]> files = LocalTrustSync.filesOf(options.repository());
      String basePolicy = new String(files.get(POLICY), StandardCharsets.UTF_8);
      String first = local.commit(files, "bench: initial");
      local.createSource("1h");
      local.createDistribution("bench", "production", Map.of("bench", "true"), shared ? "bench-${cluster}" : "bench", "correct");
      awaitApplied(names, first, Duration.ofMinutes(10));
      long setupMs = Duration.between(setupStart, Instant.now()).toMillis();
      progress.accept(names.size() + " clusters converged on the first revision; setup took " + setupMs + " ms");

      List<Double> commitLatencies = new ArrayList<>();
      for (int i = 0; i < options.commits(); i++) {
        files.put(POLICY, basePolicy.replace("\"acme.azurecr.io/storefront/web\"",
            "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/bench/app-" + i + "\"").getBytes(StandardCharsets.UTF_8));
        Instant pushed = Instant.now();
        String revision = local.commit(files, "bench: commit " + i);
        local.pushWebhook(revision);
        Instant last = awaitApplied(names, revision, Duration.ofMinutes(5));
        commitLatencies.add((double) Duration.between(pushed, last).toMillis());
      }
      progress.accept("commit-to-converged over " + options.commits() + " commits: " + summary(commitLatencies));
      HostileLoad.Result hostile = null;
      if (options.hostileSources() > 0 || options.floodConnections() > 0) {
        hostile = new HostileLoad(local, progress).run(options.hostileSources(), options.floodConnections(), options.floodBytes(), () -> {
          List<Double> underLoad = new ArrayList<>();
          for (int i = 0; i < options.commits(); i++) {
            files.put(POLICY, basePolicy.replace("\"acme.azurecr.io/storefront/web\"",
                "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/bench/hostile-" + i + "\"").getBytes(StandardCharsets.UTF_8));
            Instant pushed = Instant.now();
            String revision = local.commit(files, "bench: commit under hostile load " + i);
            local.pushWebhook(revision);
            underLoad.add((double) Duration.between(pushed, awaitApplied(names, revision, Duration.ofMinutes(5))).toMillis());
          }
          Collections.sort(underLoad);
          return underLoad;
        });
      }

      List<Double> detectLatencies = new ArrayList<>();
      List<Double> correctLatencies = new ArrayList<>();
      for (int i = 0; i < options.drifts(); i++) {
        String cluster = names.get(i % names.size());
        KubernetesClient member = local.fleet().member((i % names.size()) % options.members()).client();
        String namespace = shared ? "bench-" + cluster : "bench";
        detected.remove(cluster);
        corrected.remove(cluster);
        Instant edited = Instant.now();
        member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(namespace).withName("production")
            .patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/spec/trustPolicies/0/signatureVerification/level\",\"value\":\"audit\"}]");
        Instant deadline = Instant.now().plusSeconds(30);
        while (!corrected.containsKey(cluster) && Instant.now().isBefore(deadline)) {
          Thread.sleep(2);
        }
        if (!corrected.containsKey(cluster)) {
          throw new IllegalStateException("drift in " + cluster + " was not corrected within 30 s");
        }
        detectLatencies.add((double) Duration.between(edited, detected.get(cluster)).toMillis());
        correctLatencies.add((double) Duration.between(edited, corrected.get(cluster)).toMillis());
        Thread.sleep(50);
      }
      progress.accept("drift detected: " + summary(detectLatencies) + "; corrected: " + summary(correctLatencies));

      System.gc();
      Runtime runtime = Runtime.getRuntime();
      long heap = (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024);
      Collections.sort(commitLatencies);
      Collections.sort(detectLatencies);
      Collections.sort(correctLatencies);
      KubernetesClient firstMember = local.fleet().member(0).client();
      String firstNamespace = shared ? "bench-" + names.get(0) : "bench";
      int objects = firstMember.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(firstNamespace).list().getItems().size()
          + firstMember.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(firstNamespace).list().getItems().size();
      return new Result(options.members(), options.clusters(), objects, options.commits(), percentile(commitLatencies, 50), percentile(commitLatencies, 99),
          commitLatencies.isEmpty() ? 0 : commitLatencies.getLast(), options.drifts(), percentile(detectLatencies, 50),
          percentile(detectLatencies, 99), percentile(correctLatencies, 50), percentile(correctLatencies, 99), heap, rssMb(), setupMs, hostile);
    }
  }

  /** Waits until every cluster reported the revision applied; returns when the last one did. */
  Instant awaitApplied(List<String> clusters, String revision, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Instant last = Instant.MIN;
      boolean all = true;
      for (String cluster : clusters) {
        Applied a = applied.get(cluster);
        if (a == null || !a.revision().equals(revision)) {
          all = false;
          break;
        }
        last = a.at().isAfter(last) ? a.at() : last;
      }
      if (all) {
        return last;
      }
      Thread.sleep(5);
    }
    long done = clusters.stream().filter(c -> applied.get(c) != null && applied.get(c).revision().equals(revision)).count();
    throw new IllegalStateException("only " + done + "/" + clusters.size() + " clusters applied " + revision + " within " + timeout);
  }

  static double percentile(List<Double> sorted, int p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static String summary(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return String.format(java.util.Locale.ROOT, "p50 %.0f ms, p99 %.0f ms", percentile(sorted, 50), percentile(sorted, 99));
  }

  private static long rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
