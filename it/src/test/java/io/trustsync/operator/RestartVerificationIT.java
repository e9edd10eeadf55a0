package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.condition;
import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.ready;
import static io.trustsync.operator.HubScenario.trustPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceSpec;
import io.trustsync.crd.policysource.PolicySourceStatus;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.local.SshCommitSigner;
import io.trustsync.testing.Fleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the operator restores after a restart passes the same gate as a new revision: the
 * signature against the keys trusted now and the ancestry rule. Status is not trusted.
 */
class RestartVerificationIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);
  static LocalGitServer git;

  @TempDir Path cache;

  @BeforeAll
  static void startGit() {
    git = LocalGitServer.launch();
  }

  @AfterAll
  static void stopGit() {
    git.close();
  }

  private TrustSyncOperator start() throws Exception {
    return TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null));
  }

  private record Signed(HubScenario hub, LocalGitRepository repo, String revision, String target) {}

  /** A source verifying SSH signatures with {@code signer}'s key, its first signed commit distributed. */
  private Signed distributeSigned(String prefix, SshCommitSigner signer) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), prefix);
    hub.registerMembers(fleet.members(), Map.of("environment", "production"));
    LocalGitRepository repo = git.createRepository(hub.namespace);
    String signed = repo.commit(example(Map.of()).signedBy(signer));
    hub.secret("trusted-keys", Map.of("maintainers.pub", signer.publicKeyLine()));
    hub.httpsSource("policies", git, repo, spec -> {
      spec.verify = new PolicySourceSpec.SignatureVerification();
      spec.verify.secretRef = HubScenario.ref("trusted-keys");
    });
    String target = "trust-" + hub.namespace;
    hub.distribution("production", "production", target, spec -> {});
    try (TrustSyncOperator operator = start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> ready(hub.distribution("production"), signed));
    }
    return new Signed(hub, repo, signed, target);
  }

  private static List<KubernetesClient> members() {
    return fleet.members().stream().map(LocalControlPlane::client).toList();
  }

  /** The restore was tried and refused, and so nothing is distributed; the members keep what they had. */
  private static void awaitNothingServed(HubScenario hub, String restoreProblem, String stillInMembers, String target) {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(hub.eventMessages()).anyMatch(m -> m.startsWith("RestoreFailed") && m.contains(restoreProblem)));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(condition(hub.source("policies"), "Ready").getReason()).isEqualTo("VerificationFailed");
      assertThat(condition(hub.source("policies"), "Ready").getMessage()).endsWith("no accepted revision is being served");
      assertThat(hub.distribution("production").getStatus().conditions)
          .anyMatch(c -> c.getType().equals("Ready") && c.getReason().equals("WaitingForSource"));
    });
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
        fleet.members().stream().allMatch(m -> stillInMembers.equals(hub.appliedRevision("production", m.name()))
            && trustPolicy(m.client(), target, "production") != null));
  }

  @Test
  void anUnsignedCommitWrittenIntoStatusIsNotServedAfterARestart() throws Exception {
    SshCommitSigner signer = SshCommitSigner.generate();
    Signed s = distributeSigned("status-forgery", signer);
    String unsigned = s.repo().commit(example(Map.of()).withMessage("unsigned, and planted in status"));
    // someone who may write PolicySource status claims the unsigned commit was accepted
    s.hub().hub.resources(PolicySource.class).inNamespace(s.hub().namespace).withName("policies").editStatus(p -> {
      p.getStatus().lastAcceptedRevision = unsigned;
      p.getStatus().highWaterMark = new PolicySourceStatus.HighWaterMark();
      p.getStatus().highWaterMark.revision = unsigned;
      return p;
    });

    try (TrustSyncOperator operator = start()) {
      awaitNothingServed(s.hub(), "no longer verifies with the trusted keys", s.revision(), s.target());
    }
  }

  @Test
  void aRevisionSignedByAKeyThatWasRemovedIsNotServedAfterARestart() throws Exception {
    SshCommitSigner removed = SshCommitSigner.generate();
    Signed s = distributeSigned("key-removed", removed);
    SshCommitSigner remaining = SshCommitSigner.generate();
    s.hub().secret("trusted-keys", Map.of("maintainers.pub", remaining.publicKeyLine()));

    try (TrustSyncOperator operator = start()) {
      awaitNothingServed(s.hub(), "the last accepted revision " + s.revision().substring(0, 12) + " no longer verifies",
          s.revision(), s.target());
      assertThat(s.hub().source("policies").getStatus().signature.trusted).isFalse();
    }
  }

  @Test
  void aRevisionThatStillVerifiesIsRestoredAndServedAfterARestart() throws Exception {
    SshCommitSigner signer = SshCommitSigner.generate();
    Signed s = distributeSigned("restore", signer);
    String unsigned = s.repo().commit(example(Map.of()).withMessage("unsigned head"));

    try (TrustSyncOperator operator = start()) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(s.hub().source("policies").getStatus().fetchedRevision).isEqualTo(unsigned);
        assertThat(condition(s.hub().source("policies"), "Ready").getMessage()).contains("still serving " + s.revision().substring(0, 12));
        assertThat(ready(s.hub().distribution("production"), s.revision())).isTrue();
      });
    }
  }
}
