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

  /**
   * Azure Container Registry with the operator's workload identity: the local Azure serves ACR's
   * exchange and token endpoints and its registry API in front of the real registry; the
   * operator's Entra ID token (from its federated ServiceAccount token) is exchanged there, and no
   * Secret exists. A tenant namespace may not use the operator's identity.
   */
  @Test
  void anAcrIsReadWithTheOperatorsWorkloadIdentity(@TempDir Path cache) throws Exception {
    String tenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    String clientId = "0c3ad5f7-2b7e-4a6e-9f7c-5d2f7e9b1a11";
    HubScenario hub = new HubScenario(fleet.hub(), "audit-acr");
    HubScenario tenant = new HubScenario(fleet.hub(), "audit-acr-tenant");
    try (io.trustsync.local.LocalAzure azure = io.trustsync.local.LocalAzure.start(tenantId)) {
      azure.containerRegistry(signed.registry);
      var client = fleet.hub().client();
      client.serviceAccounts().inNamespace(hub.namespace).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder().withNewMetadata()
          .withName("trustsync-azure").endMetadata().build()).serverSideApply();
      String projected = client.serviceAccounts().inNamespace(hub.namespace).withName("trustsync-azure").tokenRequest(
          new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder().withNewSpec().withAudiences("api://AzureADTokenExchange")
              .withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
      Path tokenFile = Files.writeString(cache.resolve("azure-identity-token"), projected);
      azure.federatedClient(clientId, projected);
      Path ca = Files.writeString(cache.resolve("azure-ca.pem"), azure.certificateAuthorityPem());
      String acr = azure.containerRegistryHost();
      try (LocalGitServer git = LocalGitServer.launch();
          var clients = io.trustsync.operator.azure.AzureResourceManagerClusters.create(new io.trustsync.operator.azure.AzureSettings(
              tenantId, clientId, tokenFile, azure.authorityHost(), azure.resourceManagerEndpoint(), ca));
          TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
              .withTenancy(new io.trustsync.operator.shared.Tenancy(java.util.Set.of(hub.namespace), false))
              .withKeyless(new io.trustsync.operator.member.KeylessAccess(false, clients)).withSignerAudits(true))) {
        for (HubScenario namespace : List.of(hub, tenant)) {
          LocalGitRepository repo = git.createRepository(namespace.namespace);
          repo.commit(GitCommit.of(signed.productionFiles(acr)));
          namespace.httpsSource("policies", git, repo, spec -> {});
          audit(namespace, "acr", spec -> {
            spec.certificateAuthority = azure.certificateAuthorityPem();
            SignerAuditSpec.RegistryCredential credential = new SignerAuditSpec.RegistryCredential();
            credential.registry = acr;
            credential.azureWorkloadIdentity = true;
            spec.credentials = List.of(credential);
          });
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
          SignerAudit audit = audit(hub, "acr");
          assertThat(audit.getStatus()).isNotNull();
          assertThat(audit.getStatus().summary).as(String.valueOf(audit.getStatus().conditions)).isNotNull();
          assertThat(audit.getStatus().summary.images).as(audit.getStatus().repositories.stream().map(r -> r.repository + ": " + r.problem)
              .toList() + " " + azure.requests()).isEqualTo(5);
          assertThat(audit.getStatus().summary.unexpectedSigners).isEqualTo(1);
        });
        assertThat(azure.requests()).anyMatch(r -> r.method().equals("POST") && r.path().equals("/oauth2/exchange"))
            .anyMatch(r -> r.path().equals("/oauth2/token"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          SignerAudit refused = audit(tenant, "acr");
          assertThat(refused.getStatus()).isNotNull();
          assertThat(refused.getStatus().conditions).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Stalled");
            assertThat(c.getMessage()).contains("honoured only in the platform namespaces");
          });
        });
      }
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
