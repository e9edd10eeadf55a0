package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.testing.Fleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two replicas: only the lease holder ever writes to a member; the other takes over when it dies. */
class LeaderElectionIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);

  private static TrustSyncOperator replica(KubernetesClient client, Path cache, String namespace, String identity) throws Exception {
    return TrustSyncOperator.start(client, io.trustsync.testing.TestSettings.loopback(cache).withLeaderElection(
        new io.trustsync.operator.leader.Leadership.Settings("trustsync-test", namespace, identity,
            Duration.ofSeconds(6), Duration.ofSeconds(4), Duration.ofMillis(500), false)));
  }

  @Test
  void onlyTheLeaderWritesAndTheStandbyTakesOverWhenItStops(@TempDir Path cacheA, @TempDir Path cacheB) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "leader");
    try (LocalGitServer git = LocalGitServer.launch();
        KubernetesClient clientA = new KubernetesClientBuilder().withConfig(fleet.hub().config()).build();
        KubernetesClient clientB = new KubernetesClientBuilder().withConfig(fleet.hub().config()).build()) {
      LocalGitRepository repo = git.createRepository("policies");
      TrustSyncOperator a = replica(clientA, cacheA, hub.namespace, "replica-a");
      await().atMost(Duration.ofSeconds(20)).until(a::leading);
      TrustSyncOperator b = replica(clientB, cacheB, hub.namespace, "replica-b");
      try {
        hub.registerMembers(fleet.members(), Map.of("environment", "production"));
        String first = repo.commit(example(Map.of()));
        hub.secret("webhook", Map.of("token", "s3cret"));
        hub.source("policies", repo.httpUrl().toString(), spec -> {
          spec.interval = "1h";
          spec.webhookSecretRef = HubScenario.ref("webhook");
        });
        hub.distribution("production", "production", "trust-" + hub.namespace, spec -> {});
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(hub.distribution("production"), first));

        assertThat(b.leading()).isFalse();
        // A webhook the Service happens to route to the standby still reaches the leader.
        String viaStandby = repo.commit(example(Map.of()).withMessage("webhook to the standby"));
        assertThat(webhook(b, hub, viaStandby)).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> ready(hub.distribution("production"), viaStandby));
        assertThat(a.metrics().scrape()).contains("trustsync_cluster_sync_state{");
        assertThat(b.metrics().scrape()).as("the standby never touched a member")
            .doesNotContain("trustsync_cluster_sync_state{").doesNotContain("trustsync_source_fetch_duration");

        a.close(); // the leader dies
        await().atMost(Duration.ofSeconds(30)).until(b::leading);
        String second = repo.commit(example(Map.of()).withMessage("after failover"));
        assertThat(webhook(b, hub, second)).isEqualTo(202); // the new leader acts on it itself
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(hub.distribution("production"), second));
        assertThat(b.metrics().scrape()).contains("trustsync_cluster_sync_state{");
      } finally {
        a.close();
        b.close();
      }
    }
  }

  /** A signed GitHub-style push webhook sent to one replica's HTTP port. */
  private static int webhook(TrustSyncOperator replica, HubScenario hub, String commit) throws Exception {
    byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + commit + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + replica.webhookPort() + "/hooks/" + hub.namespace + "/policies"))
        .header("X-Hub-Signature-256", io.trustsync.source.WebhookSignatures.sign(body, "s3cret".getBytes()))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(), java.net.http.HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
