package io.trustsync.operator;

import io.trustsync.operator.shared.Tenancy;
import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.ready;
import static io.trustsync.operator.HubScenario.trustPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.testing.Fleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** With --allow-tenant-hub-members, a tenant's hub member writes with the operator's identity into the tenant's namespace only. */
class TenantHubMembersIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);

  @Test
  void aTenantsHubMemberWritesIntoItsOwnNamespaceAndNowhereElse(@TempDir Path cache) throws Exception {
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
            .withTenancy(new Tenancy(Set.of("trustsync-system"), true)))) {
      HubScenario tenant = new HubScenario(fleet.hub(), "tenant-hub");
      LocalGitRepository repo = git.createRepository(tenant.namespace);
      String revision = repo.commit(example(Map.of()));
      tenant.hubMember("hub");
      tenant.httpsSource("policies", git, repo, spec -> {});
      String elsewhere = "trust-" + tenant.namespace;
      tenant.distribution("own", "production", tenant.namespace, spec -> {});
      tenant.distribution("elsewhere", "production", elsewhere, spec -> {});

      await().atMost(Duration.ofSeconds(60)).until(() -> ready(tenant.distribution("own"), revision));
      assertThat(tenant.appliedRevision("own", "hub")).isEqualTo(revision);
      assertThat(trustPolicy(fleet.hub().client(), tenant.namespace, "production")).isNotNull();
      await().atMost(Duration.ofSeconds(30)).ignoreException(NullPointerException.class).untilAsserted(() -> assertThat(tenant.distribution("elsewhere").getStatus().problems)
          .singleElement().satisfies(c -> {
            assertThat(c.state).isEqualTo("Failed");
            assertThat(c.message).contains("may write to the hub only in its own namespace: set targetNamespace: " + tenant.namespace);
          }));
      assertThat(fleet.hub().client().namespaces().withName(elsewhere).get()).as("nothing was created elsewhere").isNull();
    }
  }
}
