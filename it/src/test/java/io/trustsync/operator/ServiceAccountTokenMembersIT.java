package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.ready;
import static io.trustsync.operator.HubScenario.trustPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterSpec;
import io.trustsync.local.KubeBinaries;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.manifests.Manifests;
import io.trustsync.operator.member.KeylessAccess;
import io.trustsync.operator.member.ServiceAccountTokens;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.ProjectFolder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyless mode against real member API servers started with {@code --authentication-config}
 * trusting the hub's service-account issuer, configured with the two documents of
 * docs/keyless.md as written there (parsed, with this test's addresses filled in): members
 * with no Secret at all converge; tokens for another audience, the hub's own audience or another
 * ServiceAccount are refused; the mode is off without its flag; a missing ServiceAccount is
 * reported as such.
 */
class ServiceAccountTokenMembersIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(1);
  @TempDir static Path data;

  static HubScenario hub;
  static final List<LocalControlPlane> members = new ArrayList<>();

  @BeforeAll
  static void startMembersTrustingTheHub() throws Exception {
    hub = new HubScenario(fleet.hub(), "keyless");
    // step 1 of the guide: members may read the hub's discovery document and keys without credentials
    fleet.hub().client().rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
        .withNewMetadata().withName("trustsync-oidc-discovery").endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "system:service-account-issuer-discovery")
        .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group").withName("system:unauthenticated").endSubject()
        .build()).serverSideApply();
    hub.hub.serviceAccounts().inNamespace(hub.namespace).resource(new ServiceAccountBuilder().withNewMetadata().withName("other")
        .endMetadata().build()).create();
    for (String name : List.of("keyless-0", "keyless-1")) {
      LocalControlPlane member = LocalControlPlane.create(name, KubeBinaries.fromEnvironment(), data.resolve(name));
      members.add(member);
      member.authenticationConfiguration(authenticationConfiguration(member));
      member.start();
      List<HasMetadata> rbac = new ArrayList<>(Manifests.load(member.client(), Manifests.kustomize("member")));
      rbac.addAll(Manifests.load(member.client(), guideBlock("member-rbac").replace("trustsync-system", hub.namespace)));
      Manifests.apply(member, rbac);
    }
    hub.hub.serviceAccounts().inNamespace(hub.namespace).resource(new ServiceAccountBuilder().withNewMetadata()
        .withName(ServiceAccountTokens.DEFAULT_SERVICE_ACCOUNT).endMetadata().build()).create();
  }

  @AfterAll
  static void stopMembers() {
    members.forEach(LocalControlPlane::close);
  }

  @Test
  void membersWithNoSecretConvergeAsTheHubIdentity(@TempDir Path cache) throws Exception {
    Instant start = Instant.now();
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
            .withNamespace(hub.namespace).withKeyless(new KeylessAccess(true)))) {
      LocalGitRepository repo = git.createRepository(hub.namespace);
      String revision = repo.commit(example(Map.of()));
      for (LocalControlPlane member : members) {
        keylessMember(member.name(), member, spec -> {});
      }
      hub.httpsSource("policies", git, repo, spec -> {});
      hub.distribution("production", "production", "trust", spec -> {});

      await().atMost(Duration.ofSeconds(90)).until(() -> ready(hub.distribution("production"), revision));
      String user = "trustsync-hub:system:serviceaccount:" + hub.namespace + ":" + ServiceAccountTokens.DEFAULT_SERVICE_ACCOUNT;
      for (LocalControlPlane member : members) {
        assertThat(hub.appliedRevision("production", member.name())).isEqualTo(revision);
        assertThat(trustPolicy(member.client(), "trust", "production")).as("on %s", member.name()).isNotNull();
        assertThat(member.writesSince(start)).as("writes on %s, but the API server's own", member.name())
            .filteredOn(write -> !write.user().equals("system:apiserver"))
            .isNotEmpty()
            .allSatisfy(write -> assertThat(write.user()).isEqualTo(user));
        var reachable = HubScenario.condition(hub.member(member.name()), "Ready");
        assertThat(reachable.getReason()).isEqualTo("Reachable");
      }
      assertThat(hub.hub.secrets().inNamespace(hub.namespace).list().getItems())
          .as("the only Secret is the Git CA; no member credential exists")
          .extracting(s -> s.getMetadata().getName()).containsExactly("policies-git");

      // another hub ServiceAccount's token (same audience) is refused by the member's claim rule
      keylessMember("as-other", members.get(0), spec -> spec.serviceAccountToken.serviceAccountName = "other");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        var ready = HubScenario.condition(hub.member("as-other"), "Ready");
        assertThat(ready).isNotNull();
        assertThat(ready.getReason()).isEqualTo("Unauthorized");
        assertThat(ready.getMessage()).contains("HTTP 401")
            .contains("'" + ServiceAccountTokens.audience(members.get(0).url().toString()) + "'");
      });

      // a ServiceAccount that does not exist: the hub issues no token, and the status says which to create
      keylessMember("missing-account", members.get(0), spec -> spec.serviceAccountToken.serviceAccountName = "nobody");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        var ready = HubScenario.condition(hub.member("missing-account"), "Ready");
        assertThat(ready).isNotNull();
        assertThat(ready.getReason()).isEqualTo("CredentialUnavailable");
        assertThat(ready.getMessage()).contains("ServiceAccount " + hub.namespace + "/nobody does not exist");
      });
    }
  }

  @Test
  void tokensForAnotherAudienceOrAnotherAccountAreRefused() {
    LocalControlPlane member = members.get(0);
    String right = ServiceAccountTokens.audience(member.url().toString());
    String wrong = ServiceAccountTokens.audience(members.get(1).url().toString());
    // the right token works: proof that the refusals below are about the audience and subject alone
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> getNamespace(member, token(ServiceAccountTokens.DEFAULT_SERVICE_ACCOUNT, right)) == 200);
    assertThat(getNamespace(member, token(ServiceAccountTokens.DEFAULT_SERVICE_ACCOUNT, wrong))).as("another member's audience").isEqualTo(401);
    assertThat(getNamespace(member, token(ServiceAccountTokens.DEFAULT_SERVICE_ACCOUNT, null))).as("the hub's own audience").isEqualTo(401);
    assertThat(getNamespace(member, token("other", right))).as("another hub ServiceAccount").isEqualTo(401);
  }

  @Test
  void theModeIsOffWithoutItsFlag(@TempDir Path cache) throws Exception {
    HubScenario other = new HubScenario(fleet.hub(), "keyless-off");
    try (TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
        .withNamespace(other.namespace))) {
      MemberCluster cluster = new MemberCluster();
      cluster.setMetadata(new ObjectMetaBuilder().withName("member").withNamespace(other.namespace).build());
      cluster.setSpec(keylessSpec(members.get(0)));
      other.hub.resource(cluster).create();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        var stalled = HubScenario.condition(other.member("member"), "Stalled");
        assertThat(stalled).isNotNull();
        assertThat(stalled.getStatus()).isEqualTo("True");
        assertThat(stalled.getReason()).isEqualTo("InvalidSpec");
        assertThat(stalled.getMessage()).contains("--allow-service-account-token-members");
      });
    }
  }

  @Test
  void aSpecThatCouldLeakTheTokenIsRefused(@TempDir Path cache) throws Exception {
    HubScenario other = new HubScenario(fleet.hub(), "keyless-spec");
    Map<String, java.util.function.Consumer<MemberClusterSpec>> bad = Map.of(
        "plain-http", spec -> spec.server = spec.server.replace("https://", "http://"),
        "no-ca", spec -> spec.certificateAuthority = null,
        "path-in-name", spec -> spec.serviceAccountToken.serviceAccountName = "../../kube-system/serviceaccounts/admin",
        "with-secret", spec -> {
          spec.kubeconfigSecretRef = new MemberClusterSpec.KubeconfigSecretReference();
          spec.kubeconfigSecretRef.name = "some-kubeconfig";
        });
    Map<String, String> expected = Map.of("plain-http", "spec.server must be the member API server's https://",
        "no-ca", "spec.certificateAuthority is not set", "path-in-name", "is not a ServiceAccount name", "with-secret", "cannot be combined with spec.kubeconfigSecretRef");
    try (TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withHttp(null)
        .withNamespace(other.namespace).withKeyless(new KeylessAccess(true)))) {
      bad.forEach((name, change) -> {
        MemberCluster cluster = new MemberCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(other.namespace).build());
        cluster.setSpec(keylessSpec(members.get(0)));
        change.accept(cluster.getSpec());
        other.hub.resource(cluster).create();
      });
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> expected.forEach((name, message) -> {
        var stalled = HubScenario.condition(other.member(name), "Stalled");
        assertThat(stalled).as(name).isNotNull();
        assertThat(stalled.getReason()).as(name).isEqualTo("InvalidSpec");
        assertThat(stalled.getMessage()).as(name).contains(message);
      }));
    }
  }

  @Test
  void aTokenIsKeptUntilTwoThirdsOfItsLifetimeThenRenewed() throws Exception {
    Instant[] now = {Instant.now()};
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now[0]; }
    };
    try (ServiceAccountTokens tokens = new ServiceAccountTokens(fleet.hub().client(), clock)) {
      var key = new ServiceAccountTokens.Key(hub.namespace, ServiceAccountTokens.DEFAULT_SERVICE_ACCOUNT,
          ServiceAccountTokens.audience(members.get(0).url().toString()), 600);
      String first = tokens.token(key);
      now[0] = now[0].plusSeconds(390);
      assertThat(tokens.token(key)).as("at 390 s of 600").isEqualTo(first);
      now[0] = now[0].plusSeconds(20);
      String renewed = tokens.token(key);
      assertThat(renewed).as("at 410 s of 600, past two thirds").isNotEqualTo(first);
      assertThat(claims(renewed).path("aud").toString()).contains(key.audience());
      assertThat(claims(renewed).path("sub").asText())
          .isEqualTo("system:serviceaccount:" + hub.namespace + ":" + ServiceAccountTokens.DEFAULT_SERVICE_ACCOUNT);
    }
  }

  private static JsonNode claims(String jwt) throws Exception {
    return Serialization.jsonMapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }

  private static MemberClusterSpec keylessSpec(LocalControlPlane member) {
    MemberClusterSpec spec = new MemberClusterSpec();
    spec.server = member.url().toString();
    spec.certificateAuthority = member.certificateAuthorityPem();
    spec.serviceAccountToken = new MemberClusterSpec.ServiceAccountToken();
    spec.probeInterval = "2s";
    return spec;
  }

  private static void keylessMember(String name, LocalControlPlane member, java.util.function.Consumer<MemberClusterSpec> customize) {
    MemberCluster cluster = new MemberCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(hub.namespace).build());
    cluster.setSpec(keylessSpec(member));
    customize.accept(cluster.getSpec());
    hub.hub.resource(cluster).create();
  }

  private static String token(String serviceAccount, String audience) {
    var spec = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L);
    if (audience != null) {
      spec.withAudiences(audience);
    }
    return fleet.hub().client().serviceAccounts().inNamespace(hub.namespace).withName(serviceAccount)
        .tokenRequest(spec.endSpec().build()).getStatus().getToken();
  }

  /** The HTTP status a GET of namespace default gets with this bearer token alone. */
  private static int getNamespace(LocalControlPlane member, String token) {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(member.url().toString())
        .withCaCertData(Base64.getEncoder().encodeToString(member.certificateAuthorityPem().getBytes(StandardCharsets.UTF_8)))
        .withOauthToken(token).withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      client.namespaces().withName("default").get();
      return 200;
    } catch (KubernetesClientException e) {
      return e.getCode();
    }
  }

  /** docs/keyless.md's authentication configuration, with this hub's issuer and CA and this member's audience. */
  private static String authenticationConfiguration(LocalControlPlane member) throws Exception {
    ObjectNode document = (ObjectNode) Serialization.yamlMapper().readTree(guideBlock("authentication-config"));
    ObjectNode issuer = (ObjectNode) document.at("/jwt/0/issuer");
    issuer.put("url", fleet.hub().serviceAccountIssuer());
    issuer.put("certificateAuthority", fleet.hub().certificateAuthorityPem());
    ((ArrayNode) issuer.get("audiences")).removeAll().add(ServiceAccountTokens.audience(member.url().toString()));
    ObjectNode rule = (ObjectNode) document.at("/jwt/0/claimValidationRules/0");
    rule.put("expression", rule.get("expression").asText().replace("trustsync-system", hub.namespace));
    return Serialization.yamlMapper().writeValueAsString(document);
  }

  /** The fenced block after {@code <!-- keyless: NAME -->} in docs/keyless.md. */
  static String guideBlock(String name) throws Exception {
    String guide = Files.readString(ProjectFolder.root().resolve("docs/keyless.md"));
    Matcher block = Pattern.compile("<!-- keyless: " + Pattern.quote(name) + " -->\\n```yaml\\n(.*?)```", Pattern.DOTALL).matcher(guide);
    assertThat(block.find()).as("docs/keyless.md has the block %s", name).isTrue();
    return block.group(1);
  }
}
