package io.trustsync.local;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.trustsync.operator.TrustSyncOperator;
import io.trustsync.operator.target.TargetReconciler;
import java.lang.management.ManagementFactory;
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
 * cluster (webhook-triggered), against a floor measured in the same run; how long drift takes to
 * be seen and put back; how many member writes a commit that changes nothing causes (from the
 * member API servers' audit logs); and what the operator costs (heap, threads, hub objects).
 *
 * <p>Every MemberCluster has credentials of its own (a client certificate issued for it), so no
 * client is shared, as in a real fleet. With more clusters than API servers, MemberClusters share
 * the member API servers and each gets its own target namespace ({@code bench-${cluster}}).
 *
 * <p>The floor is what the same writes cost without an operator: a bare fabric8 loop that
 * server-side applies the same rendered objects to the same clusters (into {@code floor-<cluster>}
 * namespaces), with each cluster's own credentials, on the same HTTP transport and with as many
 * threads as the operator reconciles with.
 */
public final class OperatorBenchmark {
  /** The operator's reconcile threads (TrustSyncOperator): the floor writes with as many. */
  static final int CONCURRENCY = 8;

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
      double commitMaxMs, double floorP50Ms, double floorP99Ms, int drifts, double driftDetectedP50Ms, double driftDetectedP99Ms,
      double driftCorrectedP50Ms, double driftCorrectedP99Ms, long noOpCommitMemberWrites, int hubObjects, long hubBytes,
      long distributionStatusBytes, long heapBaselineMb, long operatorHeapMb, long rssMb, int threadsBefore, int threadsAfter, long setupMs,
      HostileLoad.Result hostile) {

    public double ratioP50() {
      return floorP50Ms <= 0 ? 0 : commitP50Ms / floorP50Ms;
    }

    public double ratioP99() {
      return floorP99Ms <= 0 ? 0 : commitP99Ms / floorP99Ms;
    }

    public String json() {
      return String.format(java.util.Locale.ROOT,
          "{\"memberApiServers\":%d,\"clusters\":%d,\"objectsPerCluster\":%d,\"commits\":%d,"
              + "\"commitToAllConvergedMs\":{\"p50\":%.0f,\"p99\":%.0f,\"max\":%.0f},\"floorMs\":{\"p50\":%.0f,\"p99\":%.0f},"
              + "\"ratioToFloor\":{\"p50\":%.2f,\"p99\":%.2f},"
              + "\"drifts\":%d,\"driftDetectedMs\":{\"p50\":%.0f,\"p99\":%.0f},\"driftCorrectedMs\":{\"p50\":%.0f,\"p99\":%.0f},"
              + "\"noOpCommitMemberWrites\":%d,\"hubObjects\":%d,\"hubBytes\":%d,\"distributionStatusBytes\":%d,"
              + "\"operatorHeapMb\":%d,\"operatorHeapKibPerCluster\":%d,\"heapBaselineMb\":%d,\"processRssMb\":%d,"
              + "\"threads\":{\"before\":%d,\"after\":%d,\"operator\":%d},\"setupMs\":%d%s}",
          memberApiServers, clusters, objectsPerCluster, commits, commitP50Ms, commitP99Ms, commitMaxMs, floorP50Ms, floorP99Ms,
          ratioP50(), ratioP99(), drifts, driftDetectedP50Ms, driftDetectedP99Ms, driftCorrectedP50Ms, driftCorrectedP99Ms,
          noOpCommitMemberWrites, hubObjects, hubBytes, distributionStatusBytes, operatorHeapMb, operatorHeapMb * 1024 / Math.max(1, clusters),
          heapBaselineMb, rssMb, threadsBefore, threadsAfter, threadsAfter - threadsBefore, setupMs,
          hostile == null ? "" : "," + hostile.json(commitP50Ms, commitP99Ms));
    }
  }

  private record Applied(String revision, Instant at) {}

  static final String POLICY = "environments/production/trustpolicy.json";
  private final Map<String, Applied> applied = new ConcurrentHashMap<>();
  private final Map<String, Instant> detected = new ConcurrentHashMap<>();
  private final Map<String, Instant> corrected = new ConcurrentHashMap<>();

  /** The policy of commit {@code i}: one more registry scope, so every commit changes what every cluster gets. */
  static String policy(String base, String tag, int i) {
    return base.replace("\"acme.azurecr.io/storefront/web\"",
        "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/bench/" + tag + "-" + i + "\"");
  }

  public Result run(Options options, Consumer<String> progress) throws Exception {
    Instant setupStart = Instant.now();
    try (LocalTrustSync local = LocalTrustSync.prepare(options.members(), progress)) {
      boolean shared = options.clusters() > options.members();
      List<String> names = new ArrayList<>();
      Map<String, String> kubeconfigs = new java.util.LinkedHashMap<>();
      Map<String, LocalControlPlane> planes = new java.util.LinkedHashMap<>();
      for (int i = 0; i < options.clusters(); i++) {
        String name = "bench-" + i;
        LocalControlPlane plane = local.fleet().member(i % options.members());
        // a client certificate of its own: the operator cannot share one client between clusters
        String kubeconfig = plane.kubeconfig(name, "system:masters");
        names.add(name);
        kubeconfigs.put(name, kubeconfig);
        planes.put(name, plane);
        local.register(name, Map.of("bench", "true"), kubeconfig, "30s");
      }
      progress.accept(names.size() + " MemberClusters registered, each with a client certificate of its own");
      SortedMap<String, byte[]> files = LocalTrustSync.filesOf(options.repository());
      String basePolicy = new String(files.get(POLICY), StandardCharsets.UTF_8);

      List<Double> floor = new Floor(kubeconfigs, shared).measure(files, basePolicy, options.commits(), progress);
      Collections.sort(floor);

      String first = local.commit(files, "bench: initial");
      local.createSource("1h");
      local.createDistribution("bench", "production", Map.of("bench", "true"), shared ? "bench-${cluster}" : "bench", "correct");

      long heapBefore = liveHeapMb();
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      TrustSyncOperator operator = local.startOperator(progress);
      operator.addObserver(new TargetReconciler.Observer() {
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
      awaitTargets(local, names.size(), first, Duration.ofMinutes(20));
      long setupMs = Duration.between(setupStart, Instant.now()).toMillis();
      progress.accept(names.size() + " clusters converged on the first revision; setup took " + setupMs + " ms");

      List<Double> commitLatencies = new ArrayList<>();
      List<Double> acceptLatencies = new ArrayList<>();
      List<Double> rollOutDurations = new ArrayList<>();
      for (int i = 0; i < options.commits(); i++) {
        files.put(POLICY, policy(basePolicy, "app", i).getBytes(StandardCharsets.UTF_8));
        Instant pushed = Instant.now();
        String revision = local.commit(files, "bench: commit " + i);
        local.pushWebhook(revision);
        Instant accepted = awaitAccepted(local, revision, Duration.ofMinutes(5));
        Instant last = awaitApplied(names, revision, Duration.ofMinutes(10));
        Instant firstApplied = names.stream().map(n -> applied.get(n).at()).min(Instant::compareTo).orElse(last);
        commitLatencies.add((double) Duration.between(pushed, last).toMillis());
        acceptLatencies.add((double) Duration.between(pushed, accepted).toMillis());
        rollOutDurations.add((double) Duration.between(firstApplied, last).toMillis());
      }
      Collections.sort(acceptLatencies);
      Collections.sort(rollOutDurations);
      progress.accept("of which push to accepted " + summary(acceptLatencies) + "; first to last cluster applied " + summary(rollOutDurations));
      progress.accept("commit-to-converged over " + options.commits() + " commits: " + summary(commitLatencies)
          + " (floor " + summary(floor) + ")");

      // a commit that changes nothing the clusters get: the members' audit logs count the writes
      files.put("README.md", (new String(files.get("README.md"), StandardCharsets.UTF_8) + "\nBenchmark note.\n").getBytes(StandardCharsets.UTF_8));
      Instant noOpPushed = Instant.now();
      String noOp = local.commit(files, "bench: a commit that changes no cluster");
      local.pushWebhook(noOp);
      awaitTargets(local, names.size(), noOp, Duration.ofMinutes(10));
      long noOpWrites = local.fleet().members().stream().flatMap(m -> m.writesSince(noOpPushed).stream())
          .filter(w -> w.user().startsWith("bench-")).count();
      progress.accept("no-op commit: " + noOpWrites + " write requests to member API servers");

      HostileLoad.Result hostile = null;
      if (options.hostileSources() > 0 || options.floodConnections() > 0) {
        hostile = new HostileLoad(local, progress).run(options.hostileSources(), options.floodConnections(), options.floodBytes(), () -> {
          List<Double> underLoad = new ArrayList<>();
          for (int i = 0; i < options.commits(); i++) {
            files.put(POLICY, policy(basePolicy, "hostile", i).getBytes(StandardCharsets.UTF_8));
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
        // spread over the fleet, so drift is measured at every size, not only in the first clusters
        String cluster = names.get((int) ((long) i * names.size() / Math.max(1, options.drifts())));
        KubernetesClient member = planes.get(cluster).client();
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

      long heapAfter = liveHeapMb();
      int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
      Collections.sort(commitLatencies);
      Collections.sort(detectLatencies);
      Collections.sort(correctLatencies);
      KubernetesClient firstMember = planes.get(names.get(0)).client();
      String firstNamespace = shared ? "bench-" + names.get(0) : "bench";
      int objects = firstMember.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(firstNamespace).list().getItems().size()
          + firstMember.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(firstNamespace).list().getItems().size();
      HubFootprint hub = HubFootprint.of(local.hub());
      return new Result(options.members(), options.clusters(), objects, options.commits(), percentile(commitLatencies, 50),
          percentile(commitLatencies, 99), commitLatencies.isEmpty() ? 0 : commitLatencies.getLast(), percentile(floor, 50),
          percentile(floor, 99), options.drifts(), percentile(detectLatencies, 50), percentile(detectLatencies, 99),
          percentile(correctLatencies, 50), percentile(correctLatencies, 99), noOpWrites, hub.objects(), hub.bytes(),
          hub.distributionStatusBytes(), heapBefore, heapAfter - heapBefore, rssMb(), threadsBefore, threadsAfter, setupMs, hostile);
    }
  }

  /** Heap in use after a full collection: what is live. */
  private static long liveHeapMb() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024);
  }

  /** The TrustSync objects on the hub and their size as stored (JSON), and the distribution's status alone. */
  record HubFootprint(int objects, long bytes, long distributionStatusBytes) {
    static HubFootprint of(KubernetesClient hub) {
      var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
      List<HasMetadata> all = new ArrayList<>();
      String ns = LocalTrustSync.NAMESPACE;
      all.addAll(hub.resources(io.trustsync.crd.policysource.PolicySource.class).inNamespace(ns).list().getItems());
      all.addAll(hub.resources(io.trustsync.crd.membercluster.MemberCluster.class).inNamespace(ns).list().getItems());
      List<io.trustsync.crd.distribution.TrustDistribution> distributions =
          hub.resources(io.trustsync.crd.distribution.TrustDistribution.class).inNamespace(ns).list().getItems();
      all.addAll(distributions);
      all.addAll(hub.resources(io.trustsync.crd.target.TrustDistributionTarget.class).inNamespace(ns).list().getItems());
      long bytes = 0;
      try {
        for (HasMetadata object : all) {
          bytes += mapper.writeValueAsBytes(object).length;
        }
        long status = 0;
        for (var distribution : distributions) {
          status = Math.max(status, mapper.writeValueAsBytes(distribution.getStatus()).length);
        }
        return new HubFootprint(all.size(), bytes, status);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** When the PolicySource's status first names {@code revision} as accepted (polled every 10 ms: one small GET). */
  private static Instant awaitAccepted(LocalTrustSync local, String revision, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      var source = local.source();
      if (source != null && source.getStatus() != null && revision.equals(source.getStatus().lastAcceptedRevision)) {
        return Instant.now();
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException(revision + " was not accepted within " + timeout);
  }

  /** Polls the targets until every one reports {@code revision} applied (also when its content did not change). */
  private static void awaitTargets(LocalTrustSync local, int clusters, String revision, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    long done = 0;
    while (Instant.now().isBefore(deadline)) {
      var targets = local.targets("bench");
      done = targets.stream().filter(t -> t.getStatus() != null && revision.equals(t.getStatus().appliedRevision)
          && "Synced".equals(t.getStatus().state)).count();
      if (targets.size() == clusters && done == clusters) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("only " + done + "/" + clusters + " targets applied " + revision + " within " + timeout);
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
