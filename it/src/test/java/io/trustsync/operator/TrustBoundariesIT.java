package io.trustsync.operator;

import io.trustsync.operator.shared.Tenancy;
import static io.trustsync.operator.HubScenario.condition;
import static io.trustsync.operator.HubScenario.example;
import static io.trustsync.operator.HubScenario.exampleFile;
import static io.trustsync.operator.HubScenario.ready;
import static io.trustsync.operator.HubScenario.trustPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceSpec;
import io.trustsync.local.GitCommit;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.SshCommitSigner;
import io.trustsync.source.AddressRules;
import io.trustsync.source.Cidr;
import io.trustsync.source.SourceException;
import io.trustsync.source.SourceRules;
import io.trustsync.testing.Fleet;
import io.trustsync.local.HostileServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator with its secure defaults, attacked as a tenant would attack it, against real API
 * servers and a real Git server on loopback. Only what loopback needs is widened: Git and member
 * API servers on 127.0.0.1, and short intervals and timeouts so the attacks play out in seconds.
 */
class TrustBoundariesIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);
  @TempDir static Path cache;
  static LocalGitServer git;
  static HubScenario platform;
  static TrustSyncOperator operator;
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @BeforeAll
  static void startOperator() throws Exception {
    git = LocalGitServer.launch();
    platform = new HubScenario(fleet.hub(), "platform");
    operator = TrustSyncOperator.start(fleet.hub().client(), TrustSyncOperator.Settings.defaults(cache)
        .withSources(SourceRules.DEFAULT.allowingLoopback().withMinInterval(Duration.ofSeconds(2))
            .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(60)))
        .withMemberAddresses(AddressRules.DEFAULT.allowing(Cidr.parse("127.0.0.0/8")))
        .withTenancy(Tenancy.of(platform.namespace)));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
    if (git != null) {
      git.close();
    }
  }

  private static List<KubernetesClient> members() {
    return fleet.members().stream().map(LocalControlPlane::client).toList();
  }

  /** The member's admin kubeconfig with its user (and cluster) entries edited. */
  private static String kubeconfig(LocalControlPlane member, Consumer<ObjectNode> user, Consumer<ObjectNode> cluster) throws IOException {
    ObjectNode root = (ObjectNode) YAML.readTree(member.kubeconfig());
    user.accept((ObjectNode) root.withArray("users").get(0).get("user"));
    cluster.accept((ObjectNode) root.withArray("clusters").get(0).get("cluster"));
    return YAML.writeValueAsString(root);
  }

  private static Condition awaitMemberCondition(HubScenario hub, String name, String reason) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      Condition ready = condition(hub.member(name), "Ready");
      return ready != null && reason.equals(ready.getReason());
    });
    return condition(hub.member(name), "Ready");
  }

  private static Condition awaitSourceCondition(HubScenario hub, String name, String type, String reason) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      Condition condition = condition(hub.source(name), type);
      assertThat(condition).as(type + " of " + name + ": " + (hub.source(name) == null ? null : hub.source(name).getStatus())).isNotNull();
      assertThat(condition.getReason()).as(condition.getMessage()).isEqualTo(reason);
    });
    return condition(hub.source(name), type);
  }

  private static void awaitReady(HubScenario hub, String distribution, String revision) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(hub.distribution(distribution)).matches(d -> ready(d, revision), "Ready at " + revision + ": "
            + (hub.distribution(distribution) == null ? null : io.fabric8.kubernetes.client.utils.Serialization.asYaml(hub.distribution(distribution).getStatus()))));
  }

  // ---- member credentials ----

  @Test
  void aKubeconfigExecBlockNeverRunsAndTheConditionNamesTheFieldAndTheFlag() throws Exception {
    HubScenario tenant = new HubScenario(fleet.hub(), "exec");
    Path marker = cache.resolve("pwned-" + UUID.randomUUID());
    tenant.member("member-0", kubeconfig(fleet.member(0), user -> {
      user.removeAll();
      ObjectNode exec = user.putObject("exec");
      exec.put("apiVersion", "client.authentication.k8s.io/v1");
      exec.put("command", "/bin/sh");
      exec.putArray("args").add("-c").add("touch " + marker + "; echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"x\"}}'");
      exec.put("interactiveMode", "Never");
    }, cluster -> {}));

    Condition ready = awaitMemberCondition(tenant, "member-0", "InvalidKubeconfig");

    assertThat(ready.getMessage()).contains("users[0].user.exec runs a command inside the operator").contains("--insecure-kubeconfig-exec");
    assertThat(condition(tenant.member("member-0"), "Stalled").getStatus()).isEqualTo("True");
    assertThat(marker).as("the exec command ran").doesNotExist();
    assertThat(tenant.eventMessages()).anyMatch(m -> m.contains("users[0].user.exec")).noneMatch(m -> m.contains(marker.toString()));
  }

  @Test
  void kubeconfigFilePathsAreRefusedWithoutRevealingWhichFilesExist() throws Exception {
    HubScenario tenant = new HubScenario(fleet.hub(), "files");
    tenant.member("existing", kubeconfig(fleet.member(0), user -> user.put("tokenFile", "/etc/hostname"), cluster -> {}));
    tenant.member("missing", kubeconfig(fleet.member(0), user -> user.put("tokenFile", "/no/such/file"), cluster -> {}));
    tenant.member("ca-file", kubeconfig(fleet.member(0), user -> {}, cluster -> {
      cluster.remove("certificate-authority-data");
      cluster.put("certificate-authority", "/etc/ssl/certs/ca-certificates.crt");
    }));

    String existing = awaitMemberCondition(tenant, "existing", "InvalidKubeconfig").getMessage();
    String missing = awaitMemberCondition(tenant, "missing", "InvalidKubeconfig").getMessage();
    String caFile = awaitMemberCondition(tenant, "ca-file", "InvalidKubeconfig").getMessage();

    assertThat(existing.replace("existing", "X")).isEqualTo(missing.replace("missing", "X"));
    assertThat(existing).contains("users[0].user.tokenFile").contains("--insecure-kubeconfig-files").doesNotContain("/etc/hostname");
    assertThat(caFile).contains("clusters[0].cluster.certificate-authority").doesNotContain("ca-certificates");
  }

  @Test
  void insecureTlsProxiesAndPlainHttpServersAreRefused() throws Exception {
    HubScenario tenant = new HubScenario(fleet.hub(), "tls");
    tenant.member("insecure", kubeconfig(fleet.member(0), user -> {}, cluster -> cluster.put("insecure-skip-tls-verify", true)));
    tenant.member("proxied", kubeconfig(fleet.member(0), user -> {}, cluster -> cluster.put("proxy-url", "http://127.0.0.1:3128")));
    tenant.member("plain", kubeconfig(fleet.member(0), user -> {}, cluster -> cluster.put("server",
        cluster.get("server").asText().replace("https://", "http://"))));
    tenant.member("auth-provider", kubeconfig(fleet.member(0), user -> user.putObject("auth-provider").put("name", "oidc"), cluster -> {}));

    assertThat(awaitMemberCondition(tenant, "insecure", "InvalidKubeconfig").getMessage()).contains("--insecure-kubeconfig-tls");
    assertThat(awaitMemberCondition(tenant, "proxied", "InvalidKubeconfig").getMessage()).contains("--insecure-kubeconfig-proxy");
    assertThat(awaitMemberCondition(tenant, "plain", "InvalidKubeconfig").getMessage()).contains("--insecure-kubeconfig-http");
    assertThat(awaitMemberCondition(tenant, "auth-provider", "InvalidKubeconfig").getMessage()).contains("--insecure-kubeconfig-auth-provider");
  }

  @Test
  void aMalformedKubeconfigNeverPutsItsTokenIntoStatusOrEvents() {
    HubScenario tenant = new HubScenario(fleet.hub(), "malformed");
    String token = "sk-" + UUID.randomUUID().toString().replace("-", "");
    tenant.member("broken", "apiVersion: v1\nusers:\n- name: admin\n  user:\n    token: " + token + "\n   oops: [\n");

    Condition ready = awaitMemberCondition(tenant, "broken", "InvalidKubeconfig");

    assertThat(ready.getMessage()).contains("YAML syntax error at line");
    String everything = io.fabric8.kubernetes.client.utils.Serialization.asYaml(tenant.member("broken")) + tenant.eventMessages();
    assertThat(everything).doesNotContain(token).doesNotContain(token.substring(0, 10));
  }

  // ---- tenancy ----

  @Test
  void aTenantCannotMakeTheHubAMemberNorOverwriteThePlatformsPolicy() {
    String shared = "trust-platform-" + UUID.randomUUID().toString().substring(0, 6);
    LocalGitRepository platformRepo = git.createRepository(platform.namespace + "-hub");
    String platformRevision = platformRepo.commit(example(Map.of()));
    platform.hubMember("hub");
    platform.httpsSource("policies", git, platformRepo, spec -> {});
    platform.distribution("hub-trust", "production", shared, spec -> {});
    awaitReady(platform, "hub-trust", platformRevision);

    HubScenario tenant = new HubScenario(fleet.hub(), "takeover");
    LocalGitRepository tenantRepo = git.createRepository(tenant.namespace);
    String wide = exampleFile("environments/production/trustpolicy.json").replace("\"acme.azurecr.io/storefront/web\"",
        "\"acme.azurecr.io/storefront/web\",\n        \"evil.example.com/anything\"");
    tenantRepo.commit(example(Map.of("environments/production/trustpolicy.json", wide)));
    tenant.hubMember("hub");
    tenant.httpsSource("policies", git, tenantRepo, spec -> {});
    tenant.distribution("takeover", "production", shared, spec -> spec.driftMode = "report");

    Condition refused = awaitMemberCondition(tenant, "hub", "InvalidKubeconfig");
    assertThat(refused.getMessage()).contains("spec.hub: true is honoured only in the platform namespaces [" + platform.namespace + "]");
    await().atMost(Duration.ofSeconds(30)).ignoreException(NullPointerException.class).untilAsserted(() -> assertThat(tenant.distribution("takeover").getStatus().problems)
        .singleElement().satisfies(c -> assertThat(c.message).contains("spec.hub: true is honoured only")));

    var policy = trustPolicy(fleet.hub().client(), shared, "production");
    assertThat(platform.appliedRevision("hub-trust", "hub")).isEqualTo(platformRevision);
    assertThat(policy.getMetadata().getLabels()).containsEntry("trustsync.io/distribution", platform.namespace + ".hub-trust");
    assertThat(policy.getAdditionalProperties().toString()).doesNotContain("evil.example.com");
    assertThat(condition(platform.distribution("hub-trust"), "Ready")).isEqualTo("True");
  }

  @Test
  void everyReferenceResolvesInTheReferencingNamespace() {
    // a tenant naming the platform's source and the platform's kubeconfig Secret gets its own namespace's, which do not exist
    HubScenario tenant = new HubScenario(fleet.hub(), "crossref");
    tenant.distribution("production", "production", "trust-" + tenant.namespace, spec -> spec.sourceRef.name = "policies");
    MemberCluster cluster = new MemberCluster();
    cluster.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("borrowed").withNamespace(tenant.namespace).build());
    cluster.setSpec(new io.trustsync.crd.membercluster.MemberClusterSpec());
    cluster.getSpec().kubeconfigSecretRef = new io.trustsync.crd.membercluster.MemberClusterSpec.KubeconfigSecretReference();
    cluster.getSpec().kubeconfigSecretRef.name = "member-0-kubeconfig"; // exists only in other namespaces
    tenant.hub.resource(cluster).create();

    assertThat(awaitMemberCondition(tenant, "borrowed", "InvalidKubeconfig").getMessage())
        .isEqualTo("Secret " + tenant.namespace + "/member-0-kubeconfig does not exist");
    await().atMost(Duration.ofSeconds(30)).ignoreException(NullPointerException.class).untilAsserted(() -> assertThat(tenant.distribution("production").getStatus().conditions)
        .anyMatch(c -> c.getType().equals("Ready") && c.getReason().equals("WaitingForSource")));
  }

  // ---- sources ----

  @Test
  void anotherTenantsCachedCloneCannotBeReadThroughAFileUrl() throws Exception {
    HubScenario owner = new HubScenario(fleet.hub(), "owner");
    LocalGitRepository repo = git.createRepository(owner.namespace);
    String revision = repo.commit(example(Map.of()));
    owner.httpsSource("policies", git, repo, spec -> {});
    await().atMost(Duration.ofSeconds(60)).until(() -> revision.equals(owner.accepted("policies")));
    Path clone = operator.cacheFolder(owner.source("policies"));
    assertThat(clone.resolve("repo.git")).isDirectory();
    assertThat(clone.getFileName().toString()).matches("[0-9a-f]{32}").doesNotContain(owner.namespace);

    HubScenario thief = new HubScenario(fleet.hub(), "thief");
    thief.source("policies", "file://" + clone.resolve("repo.git"), spec -> {});
    thief.distribution("stolen", "production", "trust-" + thief.namespace, spec -> {});

    Condition refused = awaitSourceCondition(thief, "policies", "Ready", "SourceRefused");
    assertThat(refused.getMessage()).startsWith("file:// URLs are refused");
    assertThat(thief.source("policies").getStatus().lastAcceptedRevision).isNull();
    await().atMost(Duration.ofSeconds(30)).until(() -> "False".equals(condition(thief.distribution("stolen"), "Ready")));

    owner.hub.resources(PolicySource.class).inNamespace(owner.namespace).withName("policies").delete();
    await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(clone));
  }

  @Test
  void plainHttpIsRefusedByDefaultAndCredentialsNeverGoOverIt() {
    HubScenario tenant = new HubScenario(fleet.hub(), "plainhttp");
    LocalGitRepository repo = git.createRepository(tenant.namespace).allowToken("t0ken");
    tenant.secret("git", Map.of("bearerToken", "t0ken"));
    tenant.source("open", repo.httpUrl().toString(), spec -> {});
    tenant.source("credentials", repo.httpUrl().toString(), spec -> spec.secretRef = HubScenario.ref("git"));

    assertThat(awaitSourceCondition(tenant, "open", "Ready", "SourceRefused").getMessage())
        .startsWith("plain http:// is refused").contains("--allow-insecure-http");
    assertThat(awaitSourceCondition(tenant, "credentials", "Ready", "SourceRefused").getMessage())
        .startsWith("credentials are never sent over plain http://");
  }

  @Test
  void whatAnInternalEndpointAnswersNeverReachesStatusAndClosedPortsLookTheSame() throws Exception {
    String secret = "SECRET-" + UUID.randomUUID();
    HttpsServer internal = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    internal.setHttpsConfigurator(new HttpsConfigurator(git.certificateAuthority().sslContext(git.certificateAuthority().issueServer("127.0.0.1"))));
    internal.createContext("/", exchange -> {
      byte[] body = ("{\"etcdserver\":\"" + secret + "\"}\n" + secret).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("X-Secret", secret);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    internal.start();
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try {
      HubScenario tenant = new HubScenario(fleet.hub(), "ssrf");
      tenant.secret("ca", Map.of("ca.crt", git.certificateAuthorityPem()));
      String open = "https://127.0.0.1:" + internal.getAddress().getPort() + "/version";
      String closed = "https://127.0.0.1:" + closedPort + "/version";
      tenant.source("internal", open, spec -> spec.secretRef = HubScenario.ref("ca"));
      tenant.source("closed", closed, spec -> spec.secretRef = HubScenario.ref("ca"));

      String fromOpen = awaitSourceCondition(tenant, "internal", "Ready", "FetchFailed").getMessage();
      String fromClosed = awaitSourceCondition(tenant, "closed", "Ready", "FetchFailed").getMessage();

      assertThat(fromOpen).startsWith(SourceException.UNREACHABLE.formatted(open));
      assertThat(fromOpen.replace(open, "URL")).isEqualTo(fromClosed.replace(closed, "URL"));
      String everything = io.fabric8.kubernetes.client.utils.Serialization.asYaml(tenant.source("internal")) + tenant.eventMessages();
      assertThat(everything).doesNotContain(secret);
    } finally {
      internal.stop(0);
    }
  }

  @Test
  void aTokenInTheUrlQueryIsRedactedEverywhere() {
    HubScenario tenant = new HubScenario(fleet.hub(), "query");
    String token = "glpat-" + UUID.randomUUID().toString().replace("-", "");
    tenant.source("policies", "https://127.0.0.1:1/group/repo.git?private_token=" + token, spec -> {});

    String message = awaitSourceCondition(tenant, "policies", "Ready", "FetchFailed").getMessage();

    assertThat(message).contains("/group/repo.git?redacted");
    String everything = io.fabric8.kubernetes.client.utils.Serialization.asYaml(tenant.source("policies").getStatus()) + tenant.eventMessages();
    assertThat(everything).doesNotContain(token);
  }

  @Test
  void eightHostileSourcesDelayNeitherThePlatformNorAnotherTenant() throws Exception {
    LocalGitRepository platformRepo = git.createRepository(platform.namespace + "-fair");
    String first = platformRepo.commit(example(Map.of()));
    platform.registerMembers(fleet.members(), Map.of("environment", "production"));
    platform.httpsSource("fair", git, platformRepo, spec -> spec.interval = "1h");
    platform.distribution("fair", "production", "trust-fair-" + platform.namespace, spec -> {
      spec.sourceRef.name = "fair";
      spec.clusterSelector = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().withMatchLabels(Map.of("environment", "production")).build();
    });
    awaitReady(platform, "fair", first);

    HubScenario attacker = new HubScenario(fleet.hub(), "hostile");
    HubScenario bystander = new HubScenario(fleet.hub(), "bystander");
    LocalGitRepository bystanderRepo = git.createRepository(bystander.namespace);
    try (HostileServer trickle = HostileServer.trickling(Duration.ofSeconds(1), tls())) {
      attacker.secret("ca", Map.of("ca.crt", git.certificateAuthorityPem()));
      for (int i = 0; i < 8; i++) {
        attacker.source("slow-" + i, "https://127.0.0.1:" + trickle.port() + "/repo-" + i + ".git", spec -> {
          spec.timeout = "60s";
          spec.interval = "1ms";
          spec.secretRef = HubScenario.ref("ca");
        });
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> trickle.openConnections() >= 2);

      String second = platformRepo.commit(example(Map.of()).withMessage("while a tenant attacks"));
      platform.hub.resources(PolicySource.class).inNamespace(platform.namespace).withName("fair").edit(p -> {
        p.getMetadata().getAnnotations().put(SpecOrRequestFilter.RECONCILE_REQUESTED_AT, Instant.now().toString());
        return p;
      });
      String bystanderRevision = bystanderRepo.commit(example(Map.of()));
      bystander.httpsSource("policies", git, bystanderRepo, spec -> {});

      // well inside the hostile fetches' 60 s: before, every reconcile thread waited on the trickle
      awaitReady(platform, "fair", second);
      await().atMost(Duration.ofSeconds(45)).until(() -> bystanderRevision.equals(bystander.accepted("policies")));
      assertThat(trickle.openConnections()).as("the hostile fetches were still hanging").isGreaterThanOrEqualTo(1);
      assertThat(trickle.connections()).as("one tenant holds at most its share of fetch slots").isLessThanOrEqualTo(2 + 2);
    }
  }

  @Test
  void aFetchIsBoundedBySpecTimeoutAndPollingByTheMinimumInterval() throws Exception {
    HubScenario tenant = new HubScenario(fleet.hub(), "timeout");
    try (HostileServer trickle = HostileServer.trickling(Duration.ofMillis(500), tls())) {
      tenant.secret("ca", Map.of("ca.crt", git.certificateAuthorityPem()));
      String url = "https://127.0.0.1:" + trickle.port() + "/repo.git";
      tenant.source("slow", url, spec -> {
        spec.timeout = "3s";
        spec.secretRef = HubScenario.ref("ca");
      });

      Condition failed = awaitSourceCondition(tenant, "slow", "Ready", "FetchFailed");
      assertThat(failed.getMessage()).startsWith("fetching " + url + " took longer than its timeout of 3s");
    }

    LocalGitRepository repo = git.createRepository(tenant.namespace + "-busy");
    String revision = repo.commit(example(Map.of()));
    tenant.httpsSource("eager", git, repo, spec -> spec.interval = "1ms");
    await().atMost(Duration.ofSeconds(60)).until(() -> revision.equals(tenant.accepted("eager")));
    String key = tenant.namespace + "/eager";
    double before = fetches(key);
    // the minimum interval is 2s: in 6s at most 3 polls (plus one in flight) happen, where 1ms asked for thousands
    await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() -> fetches(key) - before <= 4);
  }

  /** TLS with a certificate the Git server's CA signed: what a source trusting that CA accepts. */
  private static javax.net.ssl.SSLContext tls() {
    return git.certificateAuthority().sslContext(git.certificateAuthority().issueServer("127.0.0.1"));
  }

  private static double fetches(String source) {
    Matcher m = Pattern.compile("trustsync_source_fetch_duration_seconds_count\\{source=\"" + Pattern.quote(source) + "\"} ([0-9.E]+)")
        .matcher(operator.metrics().scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void aBlobBombIsRejectedWithAFindingAndNothingOfItsSizeIsWritten() throws Exception {
    HubScenario tenant = new HubScenario(fleet.hub(), "bomb");
    LocalGitRepository repo = git.createRepository(tenant.namespace);
    String commit = repo.commitWithZeros(example(Map.of()), "environments/production/zeros.pem", 12L * 1024 * 1024);
    tenant.httpsSource("policies", git, repo, spec -> {});

    awaitSourceCondition(tenant, "policies", "Ready", "ValidationFailed");

    PolicySource source = tenant.source("policies");
    assertThat(source.getStatus().lastAcceptedRevision).isNull();
    assertThat(source.getStatus().validation.findings).singleElement().satisfies(f -> {
      assertThat(f.ruleId).isEqualTo("repo.checkoutLimit");
      assertThat(f.file).isEqualTo("environments/production/zeros.pem");
    });
    assertThat(condition(source, "Ready").getMessage()).startsWith("commit " + commit.substring(0, 12) + " rejected");
    try (var files = Files.walk(operator.cacheFolder(source))) {
      long bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      assertThat(bytes).as("bytes written for a 12 MiB file").isLessThan(4L * 1024 * 1024);
    }
  }

  // ---- revision monotonicity ----

  @Test
  void aForcePushBackToAnOlderSignedCommitIsRejectedUntilTheSpecNamesIt() {
    HubScenario hub = new HubScenario(fleet.hub(), "rollback");
    hub.registerMembers(fleet.members(), Map.of("environment", "production"));
    LocalGitRepository repo = git.createRepository(hub.namespace);
    SshCommitSigner signer = SshCommitSigner.generate();
    hub.secret("trusted-keys", Map.of("maintainers.pub", signer.publicKeyLine()));
    String withScope = exampleFile("environments/production/trustpolicy.json").replace("\"acme.azurecr.io/storefront/web\"",
        "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/legacy/compromised\"");
    String old = repo.commit(example(Map.of("environments/production/trustpolicy.json", withScope)).signedBy(signer));
    hub.httpsSource("policies", git, repo, spec -> {
      spec.verify = new PolicySourceSpec.SignatureVerification();
      spec.verify.secretRef = HubScenario.ref("trusted-keys");
    });
    hub.distribution("production", "production", "trust-" + hub.namespace, spec -> {});
    awaitReady(hub, "production", old);
    String revocation = repo.commit(example(Map.of()).withMessage("revoke the compromised scope").signedBy(signer));
    awaitReady(hub, "production", revocation);

    repo.forcePush(old); // a signed commit, but an old one: the revoked scope would be trusted again

    Condition rejected = awaitSourceCondition(hub, "policies", "Ready", "RevisionNotDescendant");
    assertThat(rejected.getMessage()).contains("does not descend from " + revocation.substring(0, 12))
        .contains("spec.rollbackTo: " + old).contains("still serving " + revocation.substring(0, 12));
    assertThat(hub.source("policies").getStatus().highWaterMark.revision).isEqualTo(revocation);
    assertThat(hub.source("policies").getStatus().highWaterMark.signer).startsWith("SHA256:");
    assertThat(hub.eventMessages()).anyMatch(m -> m.startsWith("RevisionNotDescendant"));
    assertThat(fleet.members()).allMatch(m -> revocation.equals(hub.appliedRevision("production", m.name())));
    assertThat(members()).allMatch(m -> !HubScenario.policyText(trustPolicy(m, "trust-" + hub.namespace, "production")).contains("legacy/compromised"));

    hub.hub.resources(PolicySource.class).inNamespace(hub.namespace).withName("policies").edit(p -> {
      p.getSpec().rollbackTo = old;
      return p;
    });

    awaitReady(hub, "production", old);
    assertThat(condition(hub.source("policies"), "RolledBack").getStatus()).isEqualTo("True");
    assertThat(hub.eventMessages()).anyMatch(m -> m.startsWith("RollbackAccepted") && m.contains(old.substring(0, 12)));
    assertThat(hub.source("policies").getStatus().highWaterMark.revision).isEqualTo(old);
  }

  @Test
  void aSourceWhoseAcceptedCommitIsOlderThanMaxRevisionAgeIsStale() {
    HubScenario hub = new HubScenario(fleet.hub(), "stale");
    LocalGitRepository repo = git.createRepository(hub.namespace);
    String old = repo.commit(example(Map.of()).by("Mirror", "mirror@example.com", Instant.now().minus(Duration.ofHours(3))));
    hub.httpsSource("policies", git, repo, spec -> spec.maxRevisionAge = "1h");

    Condition stale = awaitSourceCondition(hub, "policies", "Stale", "RevisionTooOld");
    assertThat(stale.getStatus()).isEqualTo("True");
    assertThat(stale.getMessage()).contains(old.substring(0, 12)).contains("is the mirror frozen?");
    String key = hub.namespace + "/policies";
    assertThat(operator.metrics().scrape()).contains("trustsync_source_stale{source=\"" + key + "\"} 1.0");

    repo.commit(example(Map.of()).withMessage("heartbeat"));
    hub.hub.resources(PolicySource.class).inNamespace(hub.namespace).withName("policies").edit(p -> {
      p.getMetadata().getAnnotations().put(SpecOrRequestFilter.RECONCILE_REQUESTED_AT, Instant.now().toString());
      return p;
    });
    assertThat(awaitSourceCondition(hub, "policies", "Stale", "RevisionFresh").getStatus()).isEqualTo("False");
    assertThat(operator.metrics().scrape()).contains("trustsync_source_stale{source=\"" + key + "\"} 0.0");
  }
}
