package io.trustsync.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterSpec;
import io.trustsync.testing.Fleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static credentials: a kubeconfig whose token the member refuses is reported as Unauthorized (the
 * API server answered 401), not as Unreachable; and a rotated kubeconfig Secret takes effect at
 * once, through the Secret watch, not at the next probe ten minutes later.
 */
class CredentialRotationIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(1);

  @Test
  void aRefusedTokenIsUnauthorizedAndARotatedSecretIsUsedAtOnce(@TempDir Path work) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "rotation");
    String good = fleet.member(0).kubeconfig();
    ObjectNode config = (ObjectNode) Serialization.yamlMapper().readTree(good);
    ((ObjectNode) config.at("/users/0")).putObject("user").put("token", "expired-or-revoked-token");
    hub.secret("member-0-kubeconfig", Map.of("kubeconfig", Serialization.yamlMapper().writeValueAsString(config)));
    MemberCluster cluster = new MemberCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("member-0").withNamespace(hub.namespace).build());
    cluster.setSpec(new MemberClusterSpec());
    cluster.getSpec().kubeconfigSecretRef = new MemberClusterSpec.KubeconfigSecretReference();
    cluster.getSpec().kubeconfigSecretRef.name = "member-0-kubeconfig";
    // Probed at creation, then only every ten minutes: anything sooner comes from the Secret watch.
    cluster.getSpec().probeInterval = "10m";

    try (TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(),
        io.trustsync.testing.TestSettings.loopback(work.resolve("cache")).withNamespace(hub.namespace))) {
      hub.hub.resource(cluster).create();
      var members = hub.hub.resources(MemberCluster.class).inNamespace(hub.namespace).withName("member-0");
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var ready = HubScenario.condition(members.get(), "Ready");
        assertThat(ready).as("Ready condition").isNotNull();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("Unauthorized");
        assertThat(ready.getMessage()).contains("HTTP 401").contains("Secret " + hub.namespace + "/member-0-kubeconfig");
      });
      assertThat(members.get().getStatus().reachable).isFalse();

      hub.secret("member-0-kubeconfig", Map.of("kubeconfig", good));

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var ready = HubScenario.condition(members.get(), "Ready");
        assertThat(ready.getStatus()).as("after the rotation: %s", ready.getMessage()).isEqualTo("True");
        assertThat(members.get().getStatus().reachable).isTrue();
      });
    }
  }
}
