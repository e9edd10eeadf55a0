package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.testing.Fleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two operator processes with leader election. The leader is frozen with SIGSTOP, the standby takes
 * over and distributes a new revision; the old leader is resumed with watch events of the new
 * leader's changes queued up, which it would "correct" back to the old revision. The fence stops
 * every such write until the old leader notices it lost the lease and exits.
 */
class SplitBrainIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);

  @Test
  void aPausedLeaderThatResumesNeverWritesTheOldRevisionBack(@TempDir Path work) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "splitbrain");
    Path kubeconfig = work.resolve("hub.kubeconfig");
    Files.writeString(kubeconfig, fleet.hub().kubeconfig());
    List<Process> processes = new ArrayList<>();
    List<Watch> watches = new ArrayList<>();
    try (LocalGitServer git = LocalGitServer.launch()) {
      LocalGitRepository repo = git.createRepository(hub.namespace);
      String first = repo.commit(example(Map.of()));
      Process a = operator("replica-a", hub.namespace, kubeconfig, work.resolve("a"));
      processes.add(a);
      await().atMost(Duration.ofSeconds(60)).until(() -> holder(hub).startsWith("replica-a"));
      hub.registerMembers(fleet.members(), Map.of("environment", "production"));
      hub.httpsSource("policies", git, repo, spec -> spec.interval = "1s");
      String target = "trust-" + hub.namespace;
      hub.distribution("production", "production", target, spec -> {});
      await().atMost(Duration.ofSeconds(90)).until(() -> ready(hub.distribution("production"), first));
      Process b = operator("replica-b", hub.namespace, kubeconfig, work.resolve("b"));
      processes.add(b);

      signal("STOP", a);
      await().atMost(Duration.ofSeconds(60)).until(() -> holder(hub).startsWith("replica-b"));
      String newer = HubScenario.exampleFile("environments/production/trustpolicy.json").replace("\"acme.azurecr.io/storefront/web\"",
          "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/storefront/after-failover\"");
      repo.commit(example(Map.of("environments/production/trustpolicy.json", newer)).withMessage("while the old leader is frozen"));
      await().atMost(Duration.ofSeconds(90)).until(() -> fleet.members().stream().allMatch(m -> newContent(m, target)));

      // From here on, every change a member sees must carry the new revision.
      List<String> seen = new CopyOnWriteArrayList<>();
      for (LocalControlPlane member : fleet.members()) {
        watches.add(member.client().genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(target)
            .watch(new Watcher<GenericKubernetesResource>() {
              @Override
              public void eventReceived(Action action, GenericKubernetesResource resource) {
                seen.add(action + " " + (HubScenario.policyText(resource).contains("after-failover") ? "new" : "old"));
              }

              @Override
              public void onClose(WatcherException cause) {}
            }));
      }
      signal("CONT", a);

      assertThat(a.waitFor(60, TimeUnit.SECONDS)).as("the resumed replica noticed it lost the lease and exited").isTrue();
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> fleet.members().stream().allMatch(m -> newContent(m, target)));
      assertThat(seen).as("changes the members saw after the resume").noneMatch(event -> event.endsWith("old"));
    } finally {
      watches.forEach(Watch::close);
      for (Process process : processes) {
        if (process.isAlive()) {
          signal("CONT", process);
          process.destroy();
          process.waitFor(20, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static boolean newContent(LocalControlPlane member, String target) {
    var policy = HubScenario.trustPolicy(member.client(), target, "production");
    return policy != null && HubScenario.policyText(policy).contains("after-failover");
  }

  private static String holder(HubScenario hub) {
    var lease = hub.hub.leases().inNamespace(hub.namespace).withName("trustsync-leader").get();
    return lease == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
  }

  /** {@code bin/trustsync operator} as its own JVM, on the test's class path, with a short lease. */
  private static Process operator(String name, String namespace, Path kubeconfig, Path work) throws Exception {
    Files.createDirectories(work);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "io.trustsync.cli.TrustSyncCommand", "operator",
        "--kubeconfig", kubeconfig.toString(),
        "--namespace", namespace,
        "--leader-election", "--lease-namespace", namespace,
        "--lease-duration", "6s", "--renew-deadline", "4s", "--retry-period", "1s",
        "--metrics-address", "127.0.0.1:0", "--webhook-address", "none",
        "--cache-dir", work.resolve("cache").toString(),
        "--source-allow-cidr", "127.0.0.0/8", "--member-allow-cidr", "127.0.0.0/8",
        "--min-source-interval", "1s"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("output.log").toFile());
    builder.environment().put("POD_NAME", name);
    builder.environment().put("TRUSTSYNC_LOG_LEVEL", "info");
    return builder.start();
  }

  private static void signal(String signal, Process process) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + signal).isTrue();
  }
}
