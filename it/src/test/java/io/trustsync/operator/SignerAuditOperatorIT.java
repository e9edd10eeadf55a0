package io.trustsync.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustsync.audit.SignedImages;
import io.trustsync.crd.audit.SignerAudit;
import io.trustsync.crd.audit.SignerAuditSpec;
import io.trustsync.local.GitCommit;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.testing.Fleet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SignerAudit in the operator, against the real registry and notation-signed images of
 * {@link SignedImages}, with the policy repository served by a real Git server: status, the
 * UnexpectedSigners condition, an event, the metrics the alert reads; and a registry the trust
 * policy does not name is never contacted.
 */
class SignerAuditOperatorIT {
  @org.junit.jupiter.api.extension.RegisterExtension static final Fleet fleet = Fleet.shared(1);
  @TempDir static Path work;
  static SignedImages signed;

  @BeforeAll
  static void sign() throws Exception {
    signed = SignedImages.create(work);
  }

  @AfterAll
  static void stop() {
    if (signed != null) {
      signed.close();
    }
  }

  @Test
  void theAuditReportsSignersTheUnexpectedOneAndTheUnsignedImage(@TempDir Path cache) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "audit");
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
            .withNamespace(hub.namespace).withSignerAudits(true))) {
      LocalGitRepository repo = git.createRepository(hub.namespace);
      String revision = repo.commit(GitCommit.of(signed.productionFiles()));
      hub.httpsSource("policies", git, repo, spec -> {});
      audit(hub, "production", spec -> {});

      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        SignerAudit audit = audit(hub, "production");
        assertThat(audit.getStatus()).isNotNull();
        assertThat(audit.getStatus().revision).as(String.valueOf(audit.getStatus().conditions)).isEqualTo(revision);
        assertThat(audit.getStatus().summary.images).isEqualTo(5);
      });
      var status = audit(hub, "production").getStatus();
      assertThat(status.summary.unexpectedSigners).isEqualTo(1);
      assertThat(status.summary.unsigned).isEqualTo(1);
      assertThat(status.summary.failing).isEqualTo(1);
      assertThat(status.summary.passing).isEqualTo(3);
      assertThat(status.unexpected).singleElement().satisfies(u -> {
        assertThat(u.image).isEqualTo(signed.reference("storefront/web"));
        assertThat(u.signer).isEqualTo(SignedImages.TEAM_B);
      });
      var web = status.repositories.stream().filter(r -> r.repository.endsWith("/storefront/web")).findFirst().orElseThrow();
      assertThat(web.signers).extracting(s -> s.signer + "=" + s.images)
          .containsExactlyInAnyOrder(SignedImages.TEAM_A + "=1", SignedImages.TEAM_B + "=1");
      assertThat(status.conditions).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("UnexpectedSigners");
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getMessage()).contains(SignedImages.TEAM_B);
      });
      assertThat(hub.eventMessages()).anyMatch(m -> m.startsWith("UnexpectedSigner: " + SignedImages.TEAM_B + " signed "
          + signed.reference("storefront/web")));
      String scrape = operator.metrics().scrape();
      assertThat(scrape).contains("trustsync_audit_unexpected_signers{audit=\"" + hub.namespace + "/production\",repository=\""
          + signed.registry.host() + "/storefront/web\"} 1.0");
      assertThat(scrape).contains("trustsync_audit_unsigned_images{audit=\"" + hub.namespace + "/production\",repository=\""
          + signed.registry.host() + "/storefront/legacy\"} 1.0");

      // a repository on a registry the trust policy does not name: refused, nothing contacted
      audit(hub, "elsewhere", spec -> spec.repositories = List.of("registry.example.com/storefront/web"));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        var elsewhere = audit(hub, "elsewhere");
        assertThat(elsewhere.getStatus()).isNotNull();
        assertThat(elsewhere.getStatus().conditions).anySatisfy(c -> {
          assertThat(c.getType()).isEqualTo("Stalled");
          assertThat(c.getStatus()).isEqualTo("True");
          assertThat(c.getMessage()).contains("registry registry.example.com is not one the trust policy of environment production names");
        });
      });
    }
  }

  private static void audit(HubScenario hub, String name, Consumer<SignerAuditSpec> customize) throws Exception {
    SignerAudit audit = new SignerAudit();
    audit.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(hub.namespace).build());
    SignerAuditSpec spec = new SignerAuditSpec();
    spec.sourceRef = new SignerAuditSpec.SourceReference();
    spec.sourceRef.name = "policies";
    spec.environment = "production";
    spec.certificateAuthority = Files.readString(signed.registry.certificateAuthorityFile(), StandardCharsets.UTF_8);
    customize.accept(spec);
    audit.setSpec(spec);
    fleet.hub().client().resource(audit).create();
  }

  private static SignerAudit audit(HubScenario hub, String name) {
    return fleet.hub().client().resources(SignerAudit.class).inNamespace(hub.namespace).withName(name).get();
  }
}
