package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.ready;
import static io.trustsync.operator.HubScenario.trustPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustsync.crd.azure.AzureClusterDiscovery;
import io.trustsync.crd.azure.AzureClusterDiscoverySpec;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.local.KubeBinaries;
import io.trustsync.local.LocalAzure;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.manifests.Manifests;
import io.trustsync.operator.azure.AzureClusterDiscoveryReconciler;
import io.trustsync.operator.azure.AzureClusters;
import io.trustsync.operator.azure.AzureResourceManagerClusters;
import io.trustsync.operator.azure.AzureSettings;
import io.trustsync.operator.member.KeylessAccess;
import io.trustsync.operator.shared.Tenancy;
import io.trustsync.testing.Fleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * AKS discovery and Entra ID access, through the real azure-identity and
 * azure-resourcemanager-containerservice clients, against {@link LocalAzure} (Entra's token
 * endpoint and ARM over HTTPS on loopback). The "AKS clusters" are real API servers started with
 * a JWT authenticator trusting that Entra issuer for the AKS server application's audience, as
 * AKS-managed Entra ID integration does. The federated token is a real projected token of the
 * hub's ServiceAccount. Covered: paging, throttling, tags, provisioning states, a cluster
 * without Entra integration, a cluster deleted between list and credential fetch, a token
 * endpoint outage, a tenant namespace, and that no admin credential is ever fetched.
 */
class AzureDiscoveryIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(1);
  @TempDir static Path data;

  static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  static final String CLIENT = "0c3ad5f7-2b7e-4a6e-9f7c-5d2f7e9b1a11";
  static final String SUBSCRIPTION = "4f9e5d2a-8c1b-4e7f-9a3d-6b2c1e0f8d77";
  static LocalAzure azure;
  static final List<LocalControlPlane> aks = new ArrayList<>();
  static Path tokenFile;

  @BeforeAll
  static void startAzureAndTwoAksClusters() throws Exception {
    azure = LocalAzure.start(TENANT);
    // the federated credential: the hub ServiceAccount's projected token, for Entra's token exchange audience
    var hub = fleet.hub().client();
    hub.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder().withNewMetadata().withName("trustsync-azure")
        .endMetadata().build()).serverSideApply();
    String projected = hub.serviceAccounts().inNamespace("default").withName("trustsync-azure").tokenRequest(new TokenRequestBuilder()
        .withNewSpec().withAudiences("api://AzureADTokenExchange").withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
    tokenFile = Files.writeString(data.resolve("azure-identity-token"), projected);
    azure.federatedClient(CLIENT, projected);
    for (String name : List.of("aks-eu", "aks-us")) {
      LocalControlPlane plane = LocalControlPlane.create(name, KubeBinaries.fromEnvironment(), data.resolve(name));
      aks.add(plane);
      plane.authenticationConfiguration("""
          apiVersion: apiserver.config.k8s.io/v1
          kind: AuthenticationConfiguration
          jwt:
          - issuer:
              url: %s
              audiences: [%s]
              certificateAuthority: %s
            claimMappings:
              username: {claim: oid, prefix: "aad:"}
          """.formatted(azure.issuer(), AzureClusters.AKS_SERVER_APPLICATION,
          Serialization.jsonMapper().writeValueAsString(azure.certificateAuthorityPem())));
      plane.start();
      List<HasMetadata> rbac = new ArrayList<>(Manifests.load(plane.client(), Manifests.kustomize("member")));
      rbac.add(new ClusterRoleBindingBuilder().withNewMetadata().withName("trustsync-entra").endMetadata()
          .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "trustsync-member")
          .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("aad:" + CLIENT).endSubject().build());
      Manifests.apply(plane, rbac);
    }
  }

  @AfterAll
  static void stop() {
    aks.forEach(LocalControlPlane::close);
    if (azure != null) {
      azure.close();
    }
  }

  /** The kubeconfig AKS returns for an Entra-integrated cluster: server, CA and a kubelogin exec plugin that is never run. */
  static String userKubeconfig(LocalControlPlane plane) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            certificate-authority-data: %3$s
        users:
        - name: clusterUser_%1$s
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: kubelogin
              args: [get-token, --server-id, %4$s, --login, devicecode]
        contexts:
        - name: %1$s
          context: {cluster: %1$s, user: clusterUser_%1$s}
        current-context: %1$s
        """.formatted(plane.name(), plane.url(), java.util.Base64.getEncoder().encodeToString(plane.certificateAuthorityPem().getBytes()),
        AzureClusters.AKS_SERVER_APPLICATION);
  }

  static LocalAzure.Cluster cluster(String group, String name, String location, Map<String, String> tags, String state, boolean entra,
      LocalControlPlane plane) {
    return new LocalAzure.Cluster(SUBSCRIPTION, group, name, location, tags, "1.34.4", state, entra, plane == null ? "" : userKubeconfig(plane));
  }

  static AzureResourceManagerClusters clients() throws Exception {
    Path ca = Files.writeString(data.resolve("azure-ca.pem"), azure.certificateAuthorityPem());
    return AzureResourceManagerClusters.create(new AzureSettings(TENANT, CLIENT, tokenFile, azure.authorityHost(),
        azure.resourceManagerEndpoint(), ca));
  }

  static TrustSyncOperator operator(Path cache, String namespace, AzureClusters clients) throws Exception {
    return TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null).withNamespace(namespace)
        .withTenancy(new Tenancy(Set.of(namespace), false)).withKeyless(new KeylessAccess(false, clients)));
  }

  static AzureClusterDiscovery discovery(HubScenario hub, String name, java.util.function.Consumer<AzureClusterDiscoverySpec> customize) {
    AzureClusterDiscovery discovery = new AzureClusterDiscovery();
    discovery.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(hub.namespace).build());
    AzureClusterDiscoverySpec spec = new AzureClusterDiscoverySpec();
    spec.subscriptions = List.of(SUBSCRIPTION);
    spec.tags = Map.of("environment", "production");
    spec.interval = "10m";
    spec.probeInterval = "2s";
    customize.accept(spec);
    discovery.setSpec(spec);
    return hub.hub.resource(discovery).create();
  }

  @Test
  void aksClustersAreDiscoveredLabelledAndReachedWithEntraTokens(@TempDir Path cache) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "azure");
    var eu = cluster("rg-eu", "aks-eu", "westeurope", Map.of("environment", "production", "team", "platform"), "Succeeded", true, aks.get(0));
    var us = cluster("rg-us", "aks-us", "eastus", Map.of("environment", "production"), "Succeeded", true, aks.get(1));
    var dev = cluster("rg-eu", "aks-dev", "westeurope", Map.of("environment", "dev"), "Succeeded", true, aks.get(0));
    var upgrading = cluster("rg-eu", "aks-upgrading", "westeurope", Map.of("environment", "production"), "Updating", true, aks.get(0));
    var local = cluster("rg-us", "aks-local-accounts", "eastus", Map.of("environment", "production"), "Succeeded", false, aks.get(1));
    var gone = cluster("rg-us", "aks-gone", "eastus", Map.of("environment", "production"), "Succeeded", true, aks.get(1));
    for (var cluster : List.of(eu, us, dev, upgrading, local, gone)) {
      azure.addCluster(cluster);
    }
    azure.pageSize(2); // six clusters: three pages
    azure.throttleNext(2, 1);
    azure.removeAfterNextList(gone); // listed, then deleted before its credential is fetched
    int before = azure.requests().size();

    try (LocalGitServer git = LocalGitServer.launch(); AzureResourceManagerClusters clients = clients();
        TrustSyncOperator operator = operator(cache, hub.namespace, clients)) {
      LocalGitRepository repo = git.createRepository(hub.namespace);
      String revision = repo.commit(example(Map.of()));
      discovery(hub, "aks", spec -> {});
      var discoveries = hub.hub.resources(AzureClusterDiscovery.class).inNamespace(hub.namespace).withName("aks");
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var status = discoveries.get().getStatus();
        assertThat(status).isNotNull();
        assertThat(status.registered).as("registered: %s", status.conditions).isEqualTo(3);
      });
      var status = discoveries.get().getStatus();
      assertThat(status.unmatched).as("aks-dev: environment dev").isEqualTo(1);
      assertThat(status.skipped).extracting(s -> s.resourceId.replaceAll(".*/", "") + ": " + s.reason)
          .anySatisfy(s -> assertThat(s).startsWith("aks-upgrading: provisioningState is Updating; registered once it is Succeeded"))
          .anySatisfy(s -> assertThat(s).startsWith("aks-local-accounts: the cluster has no Entra ID integration"))
          .hasSize(2);

      String euMember = AzureClusterDiscoveryReconciler.memberName(
          new AzureClusters.ManagedCluster(eu.id(), "aks-eu", null, null, null, null, true, true));
      MemberCluster registered = hub.member(euMember);
      assertThat(registered.getMetadata().getLabels()).containsEntry("region", "westeurope").containsEntry("environment", "production")
          .containsEntry("team", "platform").containsEntry("trustsync.io/kubernetes-version", "1.34.4")
          .containsEntry("trustsync.io/discovery", "aks");
      assertThat(registered.getSpec().azure.resourceId).isEqualTo(eu.id());

      // the cluster deleted between list and credential fetch is reported, not retried forever
      String goneMember = AzureClusterDiscoveryReconciler.memberName(
          new AzureClusters.ManagedCluster(gone.id(), "aks-gone", null, null, null, null, true, true));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        var ready = HubScenario.condition(hub.member(goneMember), "Ready");
        assertThat(ready).isNotNull();
        assertThat(ready.getReason()).isEqualTo("ClusterNotFound");
        assertThat(ready.getMessage()).contains("listClusterUserCredential").contains("HTTP 404 ResourceNotFound");
      });

      hub.httpsSource("policies", git, repo, spec -> {});
      hub.distribution("production", "production", "trust", spec -> spec.clusterSelector =
          new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().addToMatchLabels("trustsync.io/discovery", "aks")
              .addNewMatchExpression().withKey("region").withOperator("In").withValues("westeurope", "eastus").endMatchExpression().build());
      // the next listing (a spec change asks for one now) drops the deleted cluster's member
      discoveries.edit(d -> {
        d.getSpec().memberLabels = Map.of("fleet", "trust");
        return d;
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> hub.member(goneMember) == null);
      await().atMost(Duration.ofSeconds(90)).until(() -> ready(hub.distribution("production"), revision));
      for (LocalControlPlane plane : aks) {
        assertThat(trustPolicy(plane.client(), "trust", "production")).as("on %s", plane.name()).isNotNull();
        assertThat(plane.writesSince(java.time.Instant.EPOCH)).filteredOn(w -> w.user().startsWith("aad:"))
            .as("writes with the Entra identity on %s", plane.name()).isNotEmpty()
            .allSatisfy(w -> assertThat(w.user()).isEqualTo("aad:" + CLIENT));
      }
      assertThat(hub.hub.secrets().inNamespace(hub.namespace).list().getItems()).extracting(s -> s.getMetadata().getName())
          .as("no member credential is stored").containsExactly("policies-git");
    }
    List<LocalAzure.Request> requests = azure.requests().subList(before, azure.requests().size());
    String listPath = "/subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.ContainerService/managedClusters";
    assertThat(requests).as("paging through nextLink").anySatisfy(r -> {
      assertThat(r.path()).isEqualTo(listPath);
      assertThat(r.query()).contains("$skipToken=4");
    });
    assertThat(requests).filteredOn(r -> r.path().equals(listPath) && !r.query().contains("skipToken"))
        .as("the throttled first page was asked again after Retry-After").hasSizeGreaterThanOrEqualTo(3);
    assertThat(requests).as("never an admin credential").noneMatch(r -> r.path().endsWith("/listClusterAdminCredential"));
    assertThat(requests).as("the user credential of each registered cluster")
        .anyMatch(r -> r.method().equals("POST") && r.path().endsWith("/aks-eu/listClusterUserCredential"));
  }

  @Test
  void aTokenEndpointOutageChangesNothingAndTheDiscoveryRecovers(@TempDir Path cache) throws Exception {
    HubScenario hub = new HubScenario(fleet.hub(), "azure-outage");
    var eu = cluster("rg-outage", "aks-outage", "westeurope", Map.of("environment", "production"), "Succeeded", true, aks.get(0));
    azure.addCluster(eu);
    azure.tokenOutage(true);
    try (AzureResourceManagerClusters clients = clients(); TrustSyncOperator operator = operator(cache, hub.namespace, clients)) {
      discovery(hub, "outage", spec -> {
        spec.resourceGroups = List.of("rg-outage");
        spec.interval = "10s";
      });
      var discoveries = hub.hub.resources(AzureClusterDiscovery.class).inNamespace(hub.namespace).withName("outage");
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var ready = HubScenario.condition(discoveries.get(), "Ready");
        assertThat(ready).isNotNull();
        assertThat(ready.getReason()).isEqualTo("AzureAuthenticationFailed");
        assertThat(ready.getMessage()).contains("got no token from " + azure.authorityHost()).contains("MemberClusters are left as they are");
      });
      assertThat(hub.hub.resources(MemberCluster.class).inNamespace(hub.namespace).list().getItems()).isEmpty();

      azure.tokenOutage(false);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var ready = HubScenario.condition(discoveries.get(), "Ready");
        assertThat(ready.getReason()).isEqualTo("Discovered");
        assertThat(discoveries.get().getStatus().registered).isEqualTo(1);
      });
      String member = AzureClusterDiscoveryReconciler.memberName(
          new AzureClusters.ManagedCluster(eu.id(), "aks-outage", null, null, null, null, true, true));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(hub.member(member))
          .extracting(m -> m.getStatus() == null ? null : m.getStatus().reachable).isEqualTo(true));
    } finally {
      azure.tokenOutage(false);
      azure.removeCluster(eu);
    }
  }

  @Test
  void aTenantNamespaceCannotUseTheOperatorsAzureIdentity(@TempDir Path cache) throws Exception {
    HubScenario tenant = new HubScenario(fleet.hub(), "azure-tenant");
    try (AzureResourceManagerClusters clients = clients();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
            .withNamespace(tenant.namespace).withTenancy(new Tenancy(Set.of("trustsync-system"), false))
            .withKeyless(new KeylessAccess(false, clients)))) {
      discovery(tenant, "mine", spec -> {});
      MemberCluster member = new MemberCluster();
      member.setMetadata(new ObjectMetaBuilder().withName("borrowed").withNamespace(tenant.namespace).build());
      member.setSpec(new io.trustsync.crd.membercluster.MemberClusterSpec());
      member.getSpec().azure = new io.trustsync.crd.membercluster.MemberClusterSpec.Azure();
      member.getSpec().azure.resourceId = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-eu/providers/Microsoft.ContainerService/managedClusters/aks-eu";
      tenant.hub.resource(member).create();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        var discovery = tenant.hub.resources(AzureClusterDiscovery.class).inNamespace(tenant.namespace).withName("mine").get();
        var stalled = HubScenario.condition(discovery, "Stalled");
        assertThat(stalled).isNotNull();
        assertThat(stalled.getReason()).isEqualTo("InvalidSpec");
        assertThat(stalled.getMessage()).contains("honoured only in the platform namespaces");
        var refused = HubScenario.condition(tenant.member("borrowed"), "Stalled");
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).contains("spec.azure acts with the operator's Azure identity");
      });
    }
  }
}
