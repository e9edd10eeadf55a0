package io.trustsync.operator;

import static io.trustsync.operator.HubScenario.example;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalTrustSync;
import io.trustsync.source.WebhookSignatures;
import io.trustsync.testing.Fleet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's HTTP ports against the hub's real API server: unauthenticated webhook traffic
 * costs the hub nothing, a flood of large bodies is refused unread, and metrics can require a
 * ServiceAccount token that RBAC allows to read them.
 */
class HubEndpointsIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);
  @TempDir static Path cache;
  static LocalGitServer git;
  static HubScenario hub;
  static LocalGitRepository repo;
  static TrustSyncOperator operator;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    git = LocalGitServer.launch();
    hub = new HubScenario(fleet.hub(), "endpoints");
    repo = git.createRepository(hub.namespace);
    repo.commit(example(Map.of()));
    hub.secret("webhook", Map.of("token", "s3cret"));
    // only this namespace, so the API server's request counts below are this operator's alone
    operator = TrustSyncOperator.start(fleet.hub().client(), LocalTrustSync.settings(cache).withNamespace(hub.namespace)
        .withHttp(io.trustsync.operator.http.OperatorEndpoints.Settings.loopback().withAuthenticatedMetrics(true)));
    hub.httpsSource("policies", git, repo, spec -> {
      spec.interval = "1h";
      spec.webhookSecretRef = HubScenario.ref("webhook");
    });
    await().atMost(Duration.ofSeconds(60)).until(() -> hub.source("policies").getStatus() != null
        && hub.source("policies").getStatus().lastAcceptedRevision != null);
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    git.close();
  }

  /** Requests the hub's API server has served for this resource and verb, from its own metrics. */
  private static long served(String resource, String verb) {
    KubernetesClient admin = fleet.hub().client();
    String metrics = admin.raw(admin.getMasterUrl().toString().replaceAll("/$", "") + "/metrics");
    Matcher m = Pattern.compile("^apiserver_request_total\\{([^}]*)} ([0-9.e+]+)$", Pattern.MULTILINE).matcher(metrics);
    long total = 0;
    while (m.find()) {
      if (m.group(1).contains("resource=\"" + resource + "\"") && m.group(1).contains("verb=\"" + verb + "\"")) {
        total += (long) Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  private int webhook(String name, String signatureHeader, String signature, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.webhookPort() + "/hooks/" + hub.namespace + "/" + name))
        .header(signatureHeader, signature).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void unauthenticatedWebhooksMakeNoRequestToTheHub() throws Exception {
    byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
    long secretsBefore = served("secrets", "GET");
    long sourcesBefore = served("policysources", "GET");
    List<Integer> answers = new ArrayList<>();

    for (int i = 0; i < 100; i++) {
      answers.add(webhook("nothing-" + i, "X-Hub-Signature-256", WebhookSignatures.sign(body, "guess".getBytes()), body));
      answers.add(webhook("policies", "X-Hub-Signature-256", WebhookSignatures.sign(body, ("guess" + i).getBytes()), body));
    }

    assertThat(answers).hasSize(200).containsOnly(401);
    assertThat(served("policysources", "GET") - sourcesBefore).isZero();
    // at most one re-read of the webhook Secret after a failed signature (rotation), not one per request
    assertThat(served("secrets", "GET") - secretsBefore).isLessThanOrEqualTo(1);
  }

  @Test
  void aFloodOfLargeBodiesIsRefusedUnreadWhileProbesAndRealWebhooksGoOn() throws Exception {
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<Callable<String>> posts = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String path = i % 2 == 0 ? "/hooks/" + hub.namespace + "/nothing" : "/hooks/" + hub.namespace + "/policies";
      posts.add(() -> io.trustsync.local.HostileLoad.largePost(operator.webhookPort(), path, 5 * 1024 * 1024, 64 * 1024));
    }
    List<String> statusLines = new ArrayList<>();
    try {
      for (Future<String> answer : pool.invokeAll(posts)) {
        statusLines.add(answer.get());
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(statusLines).allMatch(line -> line.startsWith("HTTP/1.1 413") || line.startsWith("HTTP/1.1 503"), "413 or 503")
        .anyMatch(line -> line.startsWith("HTTP/1.1 413"));
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    String next = repo.commit(example(Map.of()).withMessage("after the flood"));
    byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + next + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThat(webhook("policies", "X-Hub-Signature-256", WebhookSignatures.sign(body, "s3cret".getBytes()), body)).isEqualTo(202);
    await().atMost(Duration.ofSeconds(60)).until(() -> next.equals(hub.accepted("policies")));
  }

  @Test
  void metricsNeedAServiceAccountTokenThatMayGetThem() throws Exception {
    KubernetesClient admin = fleet.hub().client();
    String role = "metrics-reader-" + hub.namespace;
    admin.resource(new ClusterRoleBuilder().withNewMetadata().withName(role).endMetadata()
        .addNewRule().withNonResourceURLs("/metrics").withVerbs("get").endRule().build()).create();
    admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(role).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role)
        .addNewSubject().withKind("ServiceAccount").withName("prometheus").withNamespace(hub.namespace).endSubject().build()).create();
    String allowed = token(admin, "prometheus");
    String other = token(admin, "intruder");

    assertThat(scrape(null).statusCode()).isEqualTo(401);
    assertThat(scrape("not-a-token").statusCode()).isEqualTo(401);
    assertThat(scrape(other).statusCode()).isEqualTo(403);
    HttpResponse<String> scraped = scrape(allowed);
    assertThat(scraped.statusCode()).isEqualTo(200);
    assertThat(scraped.body()).contains("trustsync_source_revision{");
  }

  private static String token(KubernetesClient admin, String serviceAccount) {
    admin.serviceAccounts().inNamespace(hub.namespace).resource(new ServiceAccountBuilder().withNewMetadata().withName(serviceAccount)
        .endMetadata().build()).createOr(existing -> existing.update());
    return admin.serviceAccounts().inNamespace(hub.namespace).withName(serviceAccount)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
  }

  private HttpResponse<String> scrape(String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + "/metrics"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
