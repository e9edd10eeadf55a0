package io.trustsync.testing;

import static io.trustsync.testing.KubernetesApiServerIT.configMap;
import static io.trustsync.testing.KubernetesApiServerIT.newNamespace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.trustsync.local.KubeBinaries;
import io.trustsync.local.LocalControlPlane;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A member can go down and come back with its data while the rest of the fleet keeps serving. */
class MemberOutageIT {

  @RegisterExtension static final Fleet fleet = Fleet.shared(2);

  @Test
  void stoppedMemberComesBackWithItsDataWhileOthersKeepServing() {
    LocalControlPlane member = fleet.member(1);
    String namespace = newNamespace(member.client());
    member.client().configMaps().inNamespace(namespace).resource(configMap("trust-policy", "rev", "abc123")).create();

    member.stop();
    // No retries: fabric8 would otherwise back off for about half a minute before failing.
    Config noRetries = member.config();
    noRetries.setRequestRetryBackoffLimit(0);
    try (KubernetesClient impatient = new KubernetesClientBuilder().withConfig(noRetries).build()) {
      assertThat(member.running()).isFalse();
      assertThatThrownBy(() -> impatient.configMaps().inNamespace(namespace).withName("trust-policy").get())
          .isInstanceOf(KubernetesClientException.class);
      assertThat(fleet.member(0).client().namespaces().list().getItems()).isNotEmpty();
      assertThat(fleet.hub().client().namespaces().list().getItems()).isNotEmpty();
    } finally {
      member.start();
    }

    // Same URL, same credentials, same client object: only the outage in between.
    assertThat(member.client().configMaps().inNamespace(namespace).withName("trust-policy").get().getData())
        .containsEntry("rev", "abc123");
  }

  @Test
  void kubeconfigWorksWithRealKubectl(@TempDir Path home) throws Exception {
    Path kubeconfig = home.resolve("member-0.kubeconfig");
    Files.writeString(kubeconfig, fleet.member(0).kubeconfig("viewer", "system:masters"));
    Process kubectl = new ProcessBuilder(KubeBinaries.fromEnvironment().kubectl().toString(),
        "--kubeconfig", kubeconfig.toString(), "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
        .redirectErrorStream(true).start();
    String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(kubectl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(kubectl.exitValue()).as(output).isZero();
    assertThat(output).isEqualTo("viewer");
  }
}
