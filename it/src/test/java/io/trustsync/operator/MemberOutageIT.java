package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.ready;
import static io.trustsync.operator.HubScenario.trustPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.testing.Fleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** One member goes down: the other keeps converging, and the dead one catches up on its own. */
class MemberOutageIT {
  @RegisterExtension static final Fleet fleet = Fleet.dedicated(2);

  @Test
  void anUnreachableMemberNeverDelaysTheOthersAndConvergesWhenItReturns(@TempDir Path cache) throws Exception {
    LocalControlPlane healthy = fleet.member(0);
    LocalControlPlane flaky = fleet.member(1);
    // The operator installs its CRDs into a member that lacks them.
    var crds = flaky.client().apiextensions().v1().customResourceDefinitions();
    crds.withName("truststores.trustsync.io").delete();
    crds.withName("trustpolicies.trustsync.io").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> crds.withName("truststores.trustsync.io").get() == null
        && crds.withName("trustpolicies.trustsync.io").get() == null);

    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(),
            io.trustsync.testing.TestSettings.loopback(cache).withHttp(null))) {
      HubScenario hub = new HubScenario(fleet.hub(), "outage");
      LocalGitRepository repo = git.createRepository("policies");
      hub.registerMembers(fleet.members(), Map.of("environment", "production"));
      String first = repo.commit(example(Map.of()));
      hub.source("policies", repo.httpUrl().toString(), spec -> {});
      hub.distribution("production", "production", "trust", spec -> {});
      await().atMost(Duration.ofSeconds(60)).until(() -> ready(hub.distribution("production"), first));
      assertThat(crds.withName("trustpolicies.trustsync.io").get()).as("CRD installed by the operator").isNotNull();

      flaky.stop();
      String wider = HubScenario.exampleFile("environments/production/trustpolicy.json").replace("\"acme.azurecr.io/storefront/web\"",
          "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/storefront/outage\"");
      String second = repo.commit(example(Map.of("environments/production/trustpolicy.json", wider)).withMessage("while member-1 is down"));
      long start = System.nanoTime();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> HubScenario.policyText(trustPolicy(healthy.client(), "trust", "production")).contains("storefront/outage"));
      long healthyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        TrustDistribution d = hub.distribution("production");
        assertThat(d.getStatus().problems).singleElement().satisfies(c -> {
          assertThat(c.name).isEqualTo(flaky.name());
          assertThat(c.state).isEqualTo("Unreachable");
          assertThat(c.appliedRevision).isEqualTo(first);
        });
        assertThat(hub.appliedRevision("production", healthy.name())).isEqualTo(second);
        assertThat(hub.target("production", healthy.name()).getStatus().state).isEqualTo("Synced");
        assertThat(HubScenario.condition(d, "Ready")).isEqualTo("False");
        assertThat(HubScenario.condition(d, "Reconciling")).isEqualTo("True");
      });
      assertThat(healthyMillis).as("the healthy member is not held up by the dead one").isLessThan(15_000);

      flaky.start();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
          .until(() -> ready(hub.distribution("production"), second));
      assertThat(hub.appliedRevision("production", flaky.name())).isEqualTo(second);
      assertThat(HubScenario.policyText(trustPolicy(flaky.client(), "trust", "production"))).contains("storefront/outage");
    } finally {
      if (!flaky.running()) {
        flaky.start();
      }
    }
  }
}
