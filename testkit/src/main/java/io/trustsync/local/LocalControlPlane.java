package io.trustsync.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Kubernetes control plane on loopback: its own etcd and kube-apiserver (RBAC on, no nodes,
 * no controller-manager), certificates made in-process, data in one folder. {@link #stop()} and
 * {@link #start()} simulate an outage: the data, ports and credentials survive.
 */
public final class LocalControlPlane implements AutoCloseable {

  public static final String ADMIN = "trustsync-admin";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final String name;
  private final KubeBinaries binaries;
  private final Path dataDirectory;
  private final CertificateAuthority authority;
  private final CertificateAuthority.IssuedCertificate servingCertificate;
  private final CertificateAuthority.IssuedCertificate admin;
  private final int apiPort;
  private final int etcdPort;
  private final int etcdPeerPort;
  private final Thread shutdownHook;
  // Volatile: the shutdown hook reads them without the lock a starting thread may hold.
  private volatile Process etcd;
  private volatile Process apiServer;
  private KubernetesClient adminClient;
  /** The --authentication-config file, when one was given. */
  private Path authenticationConfiguration;

  private LocalControlPlane(String name, KubeBinaries binaries, Path dataDirectory) {
    this.name = name;
    this.binaries = binaries;
    this.dataDirectory = dataDirectory.toAbsolutePath();
    this.authority = CertificateAuthority.create(name + "-ca");
    this.servingCertificate = authority.issueServer("kube-apiserver");
    this.admin = authority.issueClient(ADMIN, List.of("system:masters"));
    int[] ports = freePorts(3);
    this.apiPort = ports[0];
    this.etcdPort = ports[1];
    this.etcdPeerPort = ports[2];
    this.shutdownHook = new Thread(() -> {
      terminate(apiServer);
      terminate(etcd);
    }, "stop-" + name);
  }

  /** Starts a control plane with binaries found as {@link KubeBinaries#fromEnvironment()} says. */
  public static LocalControlPlane start(String name) {
    LocalControlPlane plane = create(name, KubeBinaries.fromEnvironment(), temporaryFolder(name));
    try {
      plane.start();
    } catch (RuntimeException e) {
      plane.close();
      throw e;
    }
    return plane;
  }

  /** A control plane that is not started yet; its data goes to {@code dataDirectory}. */
  public static LocalControlPlane create(String name, KubeBinaries binaries, Path dataDirectory) {
    return new LocalControlPlane(name, binaries, dataDirectory);
  }

  /** Starts etcd and kube-apiserver and waits until {@code /readyz} answers ok. */
  public synchronized void start() {
    if (running()) {
      return;
    }
    Path etcdBinary = binaries.etcd();
    Path apiServerBinary = binaries.kubeApiServer();
    try {
      writeCredentials();
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      etcd = launch("etcd", List.of(
          etcdBinary.toString(),
          "--name=" + name,
          "--data-dir=" + dataDirectory.resolve("etcd"),
          "--listen-client-urls=http://127.0.0.1:" + etcdPort,
          "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
          "--listen-peer-urls=http://127.0.0.1:" + etcdPeerPort,
          "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeerPort,
          "--initial-cluster=" + name + "=http://127.0.0.1:" + etcdPeerPort,
          "--unsafe-no-fsync=true", // test data: speed over durability against power loss
          "--log-level=warn"));
      Path pki = dataDirectory.resolve("pki");
      List<String> command = new ArrayList<>(List.of(
          apiServerBinary.toString(),
          "--etcd-servers=http://127.0.0.1:" + etcdPort,
          "--bind-address=127.0.0.1",
          "--advertise-address=127.0.0.1",
          "--secure-port=" + apiPort,
          "--cert-dir=" + pki,
          "--tls-cert-file=" + pki.resolve("apiserver.crt"),
          "--tls-private-key-file=" + pki.resolve("apiserver.key"),
          "--client-ca-file=" + pki.resolve("ca.crt"),
          "--authorization-mode=RBAC",
          // each plane its own issuer, served at its own address: another plane can trust it (JWT authenticator)
          "--service-account-issuer=" + serviceAccountIssuer(),
          "--service-account-jwks-uri=" + serviceAccountIssuer() + "/openid/v1/jwks",
          "--service-account-key-file=" + pki.resolve("sa.pub"),
          "--service-account-signing-key-file=" + pki.resolve("sa.key"),
          "--service-cluster-ip-range=10.0.0.0/24",
          "--allow-privileged=true",
          // Fewer background loops: there are no nodes, and two cores serve several planes.
          "--enable-priority-and-fairness=false",
          "--endpoint-reconciler-type=none",
          "--profiling=false",
          // every write request, once, as the API server saw it: what tests count writes from
          "--audit-policy-file=" + dataDirectory.resolve("audit-policy.yaml"),
          "--audit-log-path=" + auditLog(),
          "--audit-log-format=json",
          "--audit-log-mode=blocking",
          "--audit-log-maxsize=200",
          "--audit-log-maxbackup=1"));
      if (authenticationConfiguration != null) {
        command.add("--authentication-config=" + authenticationConfiguration);
      }
      apiServer = launch("kube-apiserver", command);
      awaitReady();
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException("cannot start control plane " + name, e);
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  /** Stops kube-apiserver, then etcd (an outage). Data, ports and credentials are kept. */
  public synchronized void stop() {
    terminate(apiServer);
    terminate(etcd);
    apiServer = null;
    etcd = null;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // the JVM is shutting down (this may be the hook itself), or no hook was registered
    }
  }

  public synchronized boolean running() {
    return apiServer != null && apiServer.isAlive() && etcd != null && etcd.isAlive();
  }

  /** Stops the processes and deletes the data folder. */
  @Override
  public synchronized void close() {
    if (adminClient != null) {
      adminClient.close();
      adminClient = null;
    }
    stop();
    deleteRecursively(dataDirectory);
  }

  public String name() {
    return name;
  }

  /**
   * Starts (or restarts) the API server with this structured authentication configuration
   * ({@code apiserver.config.k8s.io/v1 AuthenticationConfiguration}, {@code --authentication-config}).
   * Client certificates keep working beside it.
   */
  public synchronized void authenticationConfiguration(String yaml) {
    try {
      Path file = dataDirectory.resolve("authentication-config.yaml");
      Files.createDirectories(dataDirectory);
      Files.writeString(file, yaml);
      authenticationConfiguration = file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (running()) {
      stop();
      start();
    }
  }

  /** This plane's service-account issuer: its own address, where it serves OIDC discovery and its JWKS. */
  public String serviceAccountIssuer() {
    return url().toString();
  }

  /** The PEM certificate of the CA that issued this plane's serving and client certificates. */
  public String certificateAuthorityPem() {
    return authority.certificatePem();
  }

  public URI url() {
    return URI.create("https://127.0.0.1:" + apiPort);
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** A kubeconfig for the cluster administrator (group {@code system:masters}). */
  public String kubeconfig() {
    return kubeconfig(ADMIN, admin);
  }

  /** A kubeconfig for a user with the given groups; RBAC decides what it may do. */
  public String kubeconfig(String user, String... groups) {
    return kubeconfig(user, authority.issueClient(user, List.of(groups)));
  }

  public Config config() {
    return Config.fromKubeconfig(kubeconfig());
  }

  public Config config(String user, String... groups) {
    return Config.fromKubeconfig(kubeconfig(user, groups));
  }

  /** The administrator's client, shared and closed with this control plane: do not close it. */
  public synchronized KubernetesClient client() {
    if (adminClient == null) {
      adminClient = new KubernetesClientBuilder().withConfig(config()).build();
    }
    return adminClient;
  }

  /** A new client for a user with the given groups; the caller closes it. */
  public KubernetesClient newClient(String user, String... groups) {
    return new KubernetesClientBuilder().withConfig(config(user, groups)).build();
  }

  /**
   * Applies every CustomResourceDefinition in a YAML file, or in every {@code *.yaml} / {@code *.yml}
   * file under a folder (sub-folders included), and waits until each is established.
   */
  public void installCrds(Path fileOrFolder) {
    List<CustomResourceDefinition> installed = new ArrayList<>();
    for (Path file : yamlFiles(fileOrFolder)) {
      try (InputStream in = Files.newInputStream(file)) {
        for (HasMetadata item : client().load(in).items()) {
          if (item instanceof CustomResourceDefinition crd) {
            installed.add(client().resource(crd).fieldManager("trustsync-local").forceConflicts().serverSideApply());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (CustomResourceDefinition crd : installed) {
      client().apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
          .waitUntilCondition(LocalControlPlane::established, 60, TimeUnit.SECONDS);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    // a CRD applied again (or just created) may have a status without conditions for a moment
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null && crd.getStatus().getConditions().stream()
        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static List<Path> yamlFiles(Path fileOrFolder) {
    if (!Files.isDirectory(fileOrFolder)) {
      return Files.exists(fileOrFolder) ? List.of(fileOrFolder) : List.of();
    }
    try (Stream<Path> files = Files.walk(fileOrFolder)) {
      return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String kubeconfig(String userName, CertificateAuthority.IssuedCertificate user) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            certificate-authority-data: %3$s
        users:
        - name: %4$s
          user:
            client-certificate-data: %5$s
            client-key-data: %6$s
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %4$s
        current-context: %1$s
        """.formatted(name, url(), base64(authority.certificatePem()),
            userName, base64(user.certificatePem()), base64(user.privateKeyPem()));
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static final String AUDIT_POLICY = """
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: ["RequestReceived"]
      rules:
      - level: Metadata
        verbs: ["create", "update", "patch", "delete", "deletecollection"]
      - level: Metadata
        verbs: ["get", "list"]
        resources: [{group: "", resources: ["secrets"]}]
      - level: Metadata
        nonResourceURLs: ["/version"]
      - level: None
      """;

  private Path auditLog() {
    return dataDirectory.resolve("audit.log");
  }

  /** One request the API server answered, from its audit log. */
  public record AuditedRequest(String user, String userAgent, String verb, String resource, String subresource, String namespace,
      String name, String uri, int code, Instant received) {}

  private static final java.util.Set<String> WRITES = java.util.Set.of("create", "update", "patch", "delete", "deletecollection");

  /**
   * Every write request (create, update, patch, delete) this API server has answered since
   * {@code since}, read from its audit log. The log is written before the response is sent, so a
   * write that has returned is in it.
   */
  public List<AuditedRequest> writesSince(Instant since) {
    return requestsSince(since).stream().filter(r -> WRITES.contains(r.verb())).toList();
  }

  /**
   * Every audited request since {@code since}: writes of any kind, reads of Secrets, and
   * {@code GET /version} (what a reachability probe asks).
   */
  public List<AuditedRequest> requestsSince(Instant since) {
    List<AuditedRequest> writes = new ArrayList<>();
    if (!Files.exists(auditLog())) {
      return writes;
    }
    var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    try (Stream<String> lines = Files.lines(auditLog())) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isBlank()) {
          continue;
        }
        var event = mapper.readTree(line);
        Instant received = Instant.parse(event.path("requestReceivedTimestamp").asText());
        if (received.isBefore(since)) {
          continue;
        }
        var object = event.path("objectRef");
        if (!"ResponseComplete".equals(event.path("stage").asText())) {
          continue; // a watch also logs when its response started
        }
        writes.add(new AuditedRequest(event.path("user").path("username").asText(), event.path("userAgent").asText(),
            event.path("verb").asText(), object.path("resource").asText(), object.path("subresource").asText(null),
            object.path("namespace").asText(null),
            object.path("name").asText(null), event.path("requestURI").asText(), event.path("responseStatus").path("code").asInt(), received));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit log of " + name, e);
    }
    return writes;
  }

  private void writeCredentials() throws IOException {
    Path pki = Files.createDirectories(dataDirectory.resolve("pki"));
    Files.writeString(dataDirectory.resolve("audit-policy.yaml"), AUDIT_POLICY);
    Files.writeString(pki.resolve("ca.crt"), authority.certificatePem());
    Files.writeString(pki.resolve("apiserver.crt"), servingCertificate.certificatePem());
    Files.writeString(pki.resolve("apiserver.key"), servingCertificate.privateKeyPem());
    if (!Files.exists(pki.resolve("sa.key"))) {
      // Service account tokens must stay valid across a restart, so the key is made once.
      var serviceAccountKey = CertificateAuthority.newKeyPair();
      Files.writeString(pki.resolve("sa.key"), CertificateAuthority.pem("PRIVATE KEY", serviceAccountKey.getPrivate().getEncoded()));
      Files.writeString(pki.resolve("sa.pub"), CertificateAuthority.pem("PUBLIC KEY", serviceAccountKey.getPublic().getEncoded()));
    }
  }

  private Process launch(String program, List<String> command) throws IOException {
    Path log = dataDirectory.resolve(program + ".log");
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().sslContext(authority.sslContext(admin))
        .connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest readyz = HttpRequest.newBuilder(url().resolve("/readyz")).timeout(Duration.ofSeconds(5)).build();
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    try (http) {
      while (true) {
        failIfDead(etcd, "etcd");
        failIfDead(apiServer, "kube-apiserver");
        try {
          HttpResponse<String> response = http.send(readyz, HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            return;
          }
        } catch (IOException notListeningYet) {
          // keep polling until the deadline
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("control plane " + name + " not ready after " + READY_TIMEOUT
              + "; kube-apiserver log ends:\n" + tail(dataDirectory.resolve("kube-apiserver.log")));
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + name, e);
    }
  }

  private void failIfDead(Process process, String program) {
    if (!process.isAlive()) {
      throw new IllegalStateException(program + " of control plane " + name + " exited with " + process.exitValue()
          + "; " + dataDirectory.resolve(program + ".log") + " ends:\n" + tail(dataDirectory.resolve(program + ".log")));
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void terminate(Process process) {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int[] freePorts(int count) {
    // Hold all sockets open together so the ports differ from each other.
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port is free either way
        }
      }
    }
  }

  static Path temporaryFolder(String name) {
    try {
      return Files.createTempDirectory("trustsync-" + name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
