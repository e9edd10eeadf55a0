package io.trustsync.operator;

import io.trustsync.operator.shared.Sharding;
import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.exampleFile;
import static io.trustsync.operator.HubScenario.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.operator.target.TargetNames;
import io.trustsync.testing.Fleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas, the default shard and shard "b", over one hub: each member cluster is written by
 * the replica of its shard alone, as the members' own audit logs record it.
 */
class ShardingIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);
  static LocalGitServer git;

  @TempDir Path coordinatorCache;
  @TempDir Path shardCache;

  @BeforeAll
  static void startGit() {
    git = LocalGitServer.launch();
  }

  @AfterAll
  static void stopGit() {
    git.close();
  }

  @Test
  void eachClusterIsWrittenOnlyByTheReplicaOfItsShard() throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "shards");
    String user = "trustsync-" + hub.namespace;
    hub.registerMembers(fleet.members(), Map.of("environment", "production"), user);
    LocalControlPlane unlabelled = fleet.member(0);
    LocalControlPlane labelled = fleet.member(1);
    hub.hub.resources(MemberCluster.class).inNamespace(hub.namespace).withName(labelled.name()).edit(m -> {
      m.getMetadata().getLabels().put(Sharding.LABEL, "b");
      return m;
    });
    LocalGitRepository repo = git.createRepository(hub.namespace);
    String first = repo.commit(example(Map.of()));
    hub.httpsSource("policies", git, repo, spec -> {});
    hub.distribution("production", "production", "trust-" + hub.namespace, spec -> {});
    Instant start = Instant.now();

    try (TrustSyncOperator coordinator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(coordinatorCache).withHttp(null));
        TrustSyncOperator shard = TrustSyncOperator.start(fleet.hub().client(),
            LocalTrustSync.settings(shardCache).withHttp(null).withSharding(new Sharding("b")))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> ready(hub.distribution("production"), first));
      assertThat(hub.target("production", labelled.name()).getMetadata().getLabels()).containsEntry(Sharding.LABEL, "b");

      String second = repo.commit(example(Map.of("environments/production/trustpolicy.json",
          exampleFile("environments/production/trustpolicy.json")
              .replace("\"acme.azurecr.io/payments/api\",", "\"acme.azurecr.io/payments/api\", \"acme.azurecr.io/payments/batch\","))));
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(hub.appliedRevision("production", unlabelled.name())).isEqualTo(second);
        assertThat(hub.appliedRevision("production", labelled.name())).isEqualTo(second);
        assertThat(ready(hub.distribution("production"), second)).isTrue();
      });
    }

    List<String> unlabelledWriters = writers(unlabelled, user, start);
    List<String> labelledWriters = writers(labelled, user, start);
    assertThat(unlabelledWriters).isNotEmpty().allMatch("trustsync-operator"::equals);
    assertThat(labelledWriters).isNotEmpty().allMatch("trustsync-operator/shard-b"::equals);

    // on the hub too, each target's status is written by its own shard
    String labelledTarget = TargetNames.target("production", labelled.name());
    String unlabelledTarget = TargetNames.target("production", unlabelled.name());
    var statusWrites = fleet.hub().writesSince(start).stream()
        .filter(w -> hub.namespace.equals(w.namespace()) && w.resource().equals("trustdistributiontargets")).toList();
    assertThat(statusWrites.stream().filter(w -> unlabelledTarget.equals(w.name()) && isStatus(w)).map(w -> w.userAgent()))
        .isNotEmpty().allMatch("trustsync-operator"::equals);
    assertThat(statusWrites.stream().filter(w -> labelledTarget.equals(w.name()) && isStatus(w)).map(w -> w.userAgent()))
        .isNotEmpty().allMatch("trustsync-operator/shard-b"::equals);
  }

  private static boolean isStatus(LocalControlPlane.AuditedRequest write) {
    return "status".equals(write.subresource());
  }

  private static List<String> writers(LocalControlPlane member, String user, Instant since) {
    return member.writesSince(since).stream().filter(w -> w.user().equals(user)).map(LocalControlPlane.AuditedRequest::userAgent).toList();
  }
}
