package io.trustsync.local;

import io.trustsync.crd.distribution.RolloutSpec;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.operator.TrustSyncOperator;
import io.trustsync.operator.target.TargetReconciler;
import java.nio.charset.StandardCharsets;
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
 * What staging itself costs: one fleet, two distributions of the same source into the same
 * clusters, one flat and one staged (stages by a label, zero soak, no approval, no concurrency
 * limit). Each commit is timed from push to the last cluster having applied it, for both, in the
 * same run; the ratio is the overhead of going stage by stage.
 */
public final class RolloutBenchmark {
  public record Result(int memberApiServers, int clusters, int stages, int commits, double flatP50Ms, double flatMaxMs,
      double stagedP50Ms, double stagedMaxMs) {
    public double ratioP50() {
      return flatP50Ms == 0 ? 0 : stagedP50Ms / flatP50Ms;
    }

    public String json() {
      return String.format(java.util.Locale.ROOT, "{\"memberApiServers\":%d,\"clusters\":%d,\"stages\":%d,\"commits\":%d,"
          + "\"flatP50Ms\":%.0f,\"flatMaxMs\":%.0f,\"stagedP50Ms\":%.0f,\"stagedMaxMs\":%.0f,\"stagedOverFlatP50\":%.2f}",
          memberApiServers, clusters, stages, commits, flatP50Ms, flatMaxMs, stagedP50Ms, stagedMaxMs, ratioP50());
    }
  }

  private record Applied(String revision, Instant at) {}

  /** "flat|cluster" and "staged|cluster" -> the last revision applied there. */
  private final Map<String, Applied> applied = new ConcurrentHashMap<>();
  private LocalTrustSync local;

  public Result run(int members, int clusters, int stages, int commits, Path repository, Consumer<String> progress) throws Exception {
    try (LocalTrustSync local = LocalTrustSync.prepare(members, progress)) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < clusters; i++) {
        String name = "bench-" + i;
        LocalControlPlane plane = local.fleet().member(i % members);
        local.register(name, Map.of("bench", "true", "stage", "s" + (i % stages)), plane.kubeconfig(name, "system:masters"), "30s");
        names.add(name);
      }
      SortedMap<String, byte[]> files = LocalTrustSync.filesOf(repository);
      String basePolicy = new String(files.get(OperatorBenchmark.POLICY), StandardCharsets.UTF_8);
      String first = local.commit(files, "bench: initial");
      local.createSource("1h");
      local.createDistribution("flat", "production", Map.of("bench", "true"), "flat-${cluster}", "correct");
      local.createDistribution("staged", "production", Map.of("bench", "true"), "staged-${cluster}", "correct");
      local.hub().resources(TrustDistribution.class).inNamespace(LocalTrustSync.NAMESPACE).withName("staged").edit(d -> {
        d.getSpec().rollout = new RolloutSpec();
        for (int s = 0; s < stages; s++) {
          RolloutSpec.Stage stage = new RolloutSpec.Stage();
          stage.name = "s" + s;
          stage.selector = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().addToMatchLabels("stage", "s" + s).build();
          d.getSpec().rollout.stages.add(stage);
        }
        return d;
      });
      TrustSyncOperator operator = local.startOperator(progress);
      operator.addObserver(new TargetReconciler.Observer() {
        @Override
        public void applied(String distribution, String cluster, String revision, Instant commitTime) {
          applied.put(distribution.substring(distribution.indexOf('/') + 1) + "|" + cluster, new Applied(revision, Instant.now()));
        }
      });
      this.local = local;
      awaitApplied("flat", names, first, Duration.ofMinutes(3));
      awaitApplied("staged", names, first, Duration.ofMinutes(3));
      progress.accept(clusters + " clusters on the first revision through both distributions (" + stages + " stages for the staged one)");
      List<Double> flat = new ArrayList<>();
      List<Double> staged = new ArrayList<>();
      for (int i = 0; i < commits; i++) {
        files.put(OperatorBenchmark.POLICY, OperatorBenchmark.policy(basePolicy, "rollout", i).getBytes(StandardCharsets.UTF_8));
        Instant pushed = Instant.now();
        String revision = local.commit(files, "bench: commit " + i);
        local.pushWebhook(revision);
        flat.add((double) Duration.between(pushed, awaitApplied("flat", names, revision, Duration.ofMinutes(10))).toMillis());
        staged.add((double) Duration.between(pushed, awaitApplied("staged", names, revision, Duration.ofMinutes(10))).toMillis());
      }
      Collections.sort(flat);
      Collections.sort(staged);
      progress.accept("push to every cluster applied, flat " + flat + " ms; staged " + staged + " ms");
      return new Result(members, clusters, stages, commits, OperatorBenchmark.percentile(flat, 50), flat.getLast(),
          OperatorBenchmark.percentile(staged, 50), staged.getLast());
    }
  }

  /** When the last of the clusters had applied the revision through the distribution. */
  private Instant awaitApplied(String distribution, List<String> clusters, String revision, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Instant last = null;
      boolean all = true;
      for (String cluster : clusters) {
        Applied at = applied.get(distribution + "|" + cluster);
        if (at == null || !at.revision().equals(revision)) {
          all = false;
          break;
        }
        last = last == null || at.at().isAfter(last) ? at.at() : last;
      }
      if (all) {
        return last;
      }
      Thread.sleep(5);
    }
    var status = local == null ? null : local.distribution(distribution).getStatus();
    throw new IllegalStateException(distribution + ": revision " + revision + " not applied on every cluster within " + timeout
        + (status == null ? "" : "; status: " + io.fabric8.kubernetes.client.utils.Serialization.asJson(status)));
  }
}
