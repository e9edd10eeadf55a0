package io.trustsync.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceStatus;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.operator.target.TargetReconciler;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the main job end to end on this machine, with nothing installed: starts a hub and two member",
      "clusters (real kube-apiserver + etcd on loopback), serves policy-repo-example from a local Git server,",
      "runs the operator, and walks through convergence, a commit propagating, a hand edit corrected, and an",
      "invalid commit rejected while the last good revision stays."
    },
    footer = {"", "Example:", "  bin/trustsync demo                # about a minute; --keep-running to explore with kubectl afterwards"})
final class DemoCommand implements Callable<Integer> {
  private static final String POLICY = "environments/production/trustpolicy.json";
  private static final String TARGET = "trust-policy";

  @Option(names = "--repository", defaultValue = "policy-repo-example", paramLabel = "DIR", description = "Policy repository to serve. Default: ${DEFAULT-VALUE}.")
  Path repository;

  @Option(names = "--keep-running", description = "Keep the clusters and the operator running until Ctrl-C, and print kubectl commands.")
  boolean keepRunning;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private PrintWriter out;
  private Instant start;
  private final BlockingQueue<String> drift = new LinkedBlockingQueue<>();

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    start = Instant.now();
    if (!Files.isDirectory(repository.resolve("environments"))) {
      throw new IllegalArgumentException(repository + " is not a policy repository; run the demo from the project folder or pass --repository");
    }
    try (LocalTrustSync local = LocalTrustSync.start(2, this::say)) {
      local.operator().addObserver(new TargetReconciler.Observer() {
        @Override
        public void driftDetected(String distribution, String cluster, String object, String change, List<String> fields, boolean willCorrect) {
          drift.add("detected " + change.toLowerCase() + " " + object + " in " + cluster + " " + fields);
        }

        @Override
        public void driftCorrected(String distribution, String cluster, String object, Duration sinceDetected) {
          drift.add("corrected " + object + " in " + cluster + " " + sinceDetected.toMillis() + " ms after detection");
        }
      });

      step("1. A platform team's policy repository goes into Git");
      SortedMap<String, byte[]> files = LocalTrustSync.filesOf(repository);
      String first = local.commit(files, "Import policy repository");
      say("committed " + shortRev(first) + " (" + files.size() + " files)");

      step("2. Two member clusters are registered on the hub, labelled by environment and region");
      local.register(local.fleet().member(0), "prod-eu-1", Map.of("environment", "production", "region", "eu"));
      local.register(local.fleet().member(1), "prod-us-1", Map.of("environment", "production", "region", "us"));
      local.createSource("30s");
      local.createDistribution("production", "production", Map.of("environment", "production"), TARGET, "correct");
      say("PolicySource " + LocalTrustSync.SOURCE + " -> TrustDistribution production -> clusters with environment=production");
      Instant t0 = Instant.now();
      await(() -> ready(local.distribution("production"), first), Duration.ofSeconds(90), "the first revision to reach both clusters");
      say("both clusters hold revision " + shortRev(first) + " after " + ms(t0) + " ms");
      table(local, "production");

      step("3. A pull request adds a registry scope; the merge webhook propagates it");
      files.put(POLICY, text(files, POLICY).replace("\"acme.azurecr.io/storefront/web\"",
          "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/storefront/search\"").getBytes(StandardCharsets.UTF_8));
      String second = local.commit(files, "Trust signed images of storefront/search");
      Instant pushed = Instant.now();
      say("webhook answered HTTP " + local.pushWebhook(second));
      await(() -> ready(local.distribution("production"), second), Duration.ofSeconds(60), "the new revision to reach both clusters");
      say("revision " + shortRev(second) + " live in both clusters " + ms(pushed) + " ms after the push");

      step("4. Someone weakens the policy by hand in prod-us-1 (level strict -> audit)");
      KubernetesClient us = local.fleet().member(1).client();
      drift.clear();
      Instant edited = Instant.now();
      us.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(TARGET).withName("production").edit(p -> {
        @SuppressWarnings("unchecked")
        var statement = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) p.getAdditionalProperties().get("spec")).get("trustPolicies")).get(0);
        @SuppressWarnings("unchecked")
        var verification = (Map<String, Object>) statement.get("signatureVerification");
        verification.put("level", "audit");
        return p;
      });
      for (int i = 0; i < 2; i++) {
        String line = drift.poll(10, TimeUnit.SECONDS);
        say(line == null ? "(no drift event within 10 s)" : line + (i == 0 ? " — " + ms(edited) + " ms after the edit" : ""));
      }
      await(() -> levelOf(us).equals("strict"), Duration.ofSeconds(10), "the level to be strict again");
      say("prod-us-1 is back to level " + levelOf(us) + "; events on the hub record both the drift and the correction");

      step("5. A broken pull request is merged anyway (level \"strickt\")");
      files.put(POLICY, text(files, POLICY).replace("\"strict\"", "\"strickt\"").getBytes(StandardCharsets.UTF_8));
      String bad = local.commit(files, "Typo in the verification level");
      local.pushWebhook(bad);
      await(() -> bad.equals(local.source().getStatus().fetchedRevision) && local.source().getStatus().validation != null
          && bad.equals(local.source().getStatus().validation.revision), Duration.ofSeconds(30), "the bad commit to be fetched");
      PolicySource source = local.source();
      say("PolicySource: " + readyMessage(source));
      for (PolicySourceStatus.FindingStatus f : source.getStatus().validation.findings) {
        if (f.severity.equals("error")) {
          say("  " + f.file + ":" + f.line + ":" + f.column + ": " + f.ruleId + ": " + f.message);
        }
      }
      Thread.sleep(2000);
      Map<String, LocalControlPlane> registered = Map.of("prod-eu-1", local.fleet().member(0), "prod-us-1", local.fleet().member(1));
      for (String name : List.of("prod-eu-1", "prod-us-1")) {
        KubernetesClient member = registered.get(name).client();
        say(name + " still serves revision " + shortRev(local.target("production", name).getStatus().appliedRevision)
            + " (level " + levelOf(member) + ")");
      }

      step("Done in " + Duration.between(start, Instant.now()).toSeconds() + " s");
      say("metrics: curl -s http://127.0.0.1:" + local.operator().metricsPort() + "/metrics | grep ^trustsync_");
      if (keepRunning) {
        Map<String, Path> kubeconfigs = local.writeKubeconfigs();
        kubeconfigs.forEach((name, file) -> say("kubectl --kubeconfig " + file + " get truststores,trustpolicies -A   # " + name));
        say("kubectl --kubeconfig " + kubeconfigs.get("hub") + " -n " + LocalTrustSync.NAMESPACE + " get policysources,memberclusters,trustdistributions");
        say("press Ctrl-C to stop");
        out.flush();
        Thread.currentThread().join();
      }
    }
    return 0;
  }

  private void step(String title) {
    out.println();
    out.println("== " + title);
    out.flush();
  }

  private void say(String line) {
    out.printf("[%6.1fs] %s%n", Duration.between(start, Instant.now()).toMillis() / 1000.0, line);
    out.flush();
  }

  /** One line per cluster, from its TrustDistributionTarget. */
  private void table(LocalTrustSync local, String distribution) {
    for (TrustDistributionTarget target : local.targets(distribution)) {
      say(String.format("  %-10s %-8s %s", target.getSpec().member, target.getStatus().state, shortRev(target.getStatus().appliedRevision)));
    }
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not there yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
  }

  private static boolean ready(TrustDistribution d, String revision) {
    return d != null && d.getStatus() != null && revision.equals(d.getStatus().revision)
        && d.getStatus().conditions.stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private static String readyMessage(PolicySource source) {
    return source.getStatus().conditions.stream().filter(c -> c.getType().equals("Ready")).map(c -> c.getReason() + ": " + c.getMessage())
        .findFirst().orElse("");
  }

  private static GenericKubernetesResource policy(KubernetesClient member) {
    return member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(TARGET).withName("production").get();
  }

  @SuppressWarnings("unchecked")
  private static String levelOf(KubernetesClient member) {
    var spec = (Map<String, Object>) policy(member).getAdditionalProperties().get("spec");
    var statement = (Map<String, Object>) ((List<Object>) spec.get("trustPolicies")).get(0);
    return String.valueOf(((Map<String, Object>) statement.get("signatureVerification")).get("level"));
  }

  private static String text(SortedMap<String, byte[]> files, String path) {
    return new String(files.get(path), StandardCharsets.UTF_8);
  }

  private static long ms(Instant since) {
    return Duration.between(since, Instant.now()).toMillis();
  }

  private static String shortRev(String revision) {
    return revision == null ? "-" : revision.substring(0, Math.min(12, revision.length()));
  }
}
