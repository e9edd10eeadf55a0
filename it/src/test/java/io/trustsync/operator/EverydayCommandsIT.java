package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustsync.cli.CommandRun;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.testing.Fleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * trustsync get, reconcile, suspend, resume and version against a real hub with the operator
 * running: what an SRE types instead of kubectl patches and jsonpath.
 */
class EverydayCommandsIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);


  @Test
  void getReconcileSuspendResumeAndVersionOnALiveHub(@TempDir Path work) throws Exception {
    Path kubeconfig = work.resolve("hub.kubeconfig");
    Files.writeString(kubeconfig, fleet.hub().kubeconfig());
    HubScenario hub = new HubScenario(fleet.hub(), "everyday");
    String[] on = {"--kubeconfig", kubeconfig.toString(), "-n", hub.namespace};
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(),
            io.trustsync.testing.TestSettings.loopback(work.resolve("cache")).withNamespace(hub.namespace))) {
      LocalGitRepository repo = git.createRepository(hub.namespace);
      String first = repo.commit(example(Map.of()));
      hub.registerMembers(fleet.members(), Map.of("environment", "production"));
      // A long interval: only a reconcile request makes it fetch again soon.
      hub.httpsSource("policies", git, repo, spec -> spec.interval = "1h");
      hub.distribution("production", "production", "trust-" + hub.namespace, spec -> {});
      await().atMost(Duration.ofSeconds(90)).until(() -> ready(hub.distribution("production"), first));

      CommandRun all = CommandRun.of((Object[]) concat(new String[] {"get", "all"}, on));
      assertThat(all.exitCode()).as(all.err()).isZero();
      assertThat(all.out()).contains("sources:", "members:", "distributions:")
          .containsPattern("(?m)^policies\\s+" + first.substring(0, 12) + "\\s+false\\s+True\\s")
          .containsPattern("(?m)^member-0\\s+true\\s+v1\\.34\\.4\\s+environment=production\\s+True")
          .containsPattern("(?m)^production\\s+production\\s+" + first.substring(0, 12) + "\\s+2/2\\s+false\\s+True");

      // reconcile: a new commit is fetched now, not in an hour, and the command waits for it.
      String second = repo.commit(example(Map.of("environments/production/trustpolicy.json",
          HubScenario.exampleFile("environments/production/trustpolicy.json").replace("\"acme.azurecr.io/storefront/web\"",
              "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/storefront/reconciled\""))));
      CommandRun reconcile = CommandRun.of((Object[]) concat(new String[] {"reconcile", "source", "policies", "--timeout", "60s"}, on));
      assertThat(reconcile.exitCode()).as(reconcile.out() + reconcile.err()).isZero();
      assertThat(reconcile.out()).contains("✔ PolicySource " + hub.namespace + "/policies is Ready at " + second);
      assertThat(fleet.hub().client().resources(PolicySource.class).inNamespace(hub.namespace).withName("policies").get()
          .getStatus().lastAcceptedRevision).isEqualTo(second);
      CommandRun distribution = CommandRun.of((Object[]) concat(new String[] {"reconcile", "distribution", "production"}, on));
      assertThat(distribution.exitCode()).as(distribution.out() + distribution.err()).isZero();
      assertThat(distribution.out()).contains("is Ready at");

      // suspend / resume set and clear spec.suspend, and nothing else of the spec.
      CommandRun suspend = CommandRun.of((Object[]) concat(new String[] {"suspend", "distribution", "production"}, on));
      assertThat(suspend.exitCode()).as(suspend.err()).isZero();
      TrustDistribution suspended = fleet.hub().client().resources(TrustDistribution.class).inNamespace(hub.namespace).withName("production").get();
      assertThat(suspended.getSpec().suspend).isTrue();
      assertThat(suspended.getSpec().environment).isEqualTo("production");
      assertThat(CommandRun.of((Object[]) concat(new String[] {"get", "distributions"}, on)).out()).containsPattern("(?m)^production\\s+.*\\s+true\\s+");
      CommandRun resume = CommandRun.of((Object[]) concat(new String[] {"resume", "distribution", "production"}, on));
      assertThat(resume.exitCode()).as(resume.err()).isZero();
      assertThat(fleet.hub().client().resources(TrustDistribution.class).inNamespace(hub.namespace).withName("production").get()
          .getSpec().suspend).isNull();

      CommandRun missing = CommandRun.of((Object[]) concat(new String[] {"reconcile", "source", "nope"}, on));
      assertThat(missing.exitCode()).isEqualTo(2);
      assertThat(missing.err()).contains("PolicySource " + hub.namespace + "/nope not found");
      CommandRun wrongKind = CommandRun.of((Object[]) concat(new String[] {"suspend", "member", "member-0"}, on));
      assertThat(wrongKind.exitCode()).isEqualTo(2);
      assertThat(wrongKind.err()).contains("'member' is not one of source, distribution");
    }

    CommandRun version = CommandRun.of("version", "--kubeconfig", kubeconfig.toString(), "-n", hub.namespace);
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).contains("client:   trustsync ").contains("operator: no deployment/trustsync in " + hub.namespace);
    CommandRun unknownContext = CommandRun.of("get", "all", "--kubeconfig", kubeconfig.toString(), "--context", "prod");
    assertThat(unknownContext.exitCode()).isEqualTo(2);
    assertThat(unknownContext.err()).contains("--context: no context 'prod'");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
