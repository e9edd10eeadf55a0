package io.trustsync.local;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;

/**
 * A Git server on loopback for tests and demos: smart HTTP and HTTPS (served by the real
 * {@code git http-backend}) and SSH (Apache MINA sshd running the real {@code git-upload-pack}
 * and {@code git-receive-pack}), over bare repositories in one folder. {@link #stop()} and
 * {@link #start()} simulate an outage; the ports and repositories stay the same.
 *
 * <pre>{@code
 * try (LocalGitServer git = LocalGitServer.launch()) {
 *   LocalGitRepository repo = git.createRepository("policies").allowPassword("alice", "s3cret");
 *   String id = repo.commit(GitCommit.fromDirectory(Path.of("policy-repo-example")));
 *   // clone repo.httpUrl(), repo.httpsUrl() (trust git.certificateAuthorityPem()) or repo.sshUrl()
 * }
 * }</pre>
 */
public final class LocalGitServer implements AutoCloseable {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final Path root;
  private final Path log;
  private final CertificateAuthority authority = CertificateAuthority.create("trustsync-git-ca");
  private final CertificateAuthority.IssuedCertificate serverCertificate = authority.issueServer("127.0.0.1");
  private final KeyPair hostKey = SshCommitSigner.newEd25519KeyPair();
  private final Map<String, LocalGitRepository> repositories = new ConcurrentHashMap<>();
  private final Thread shutdownHook = new Thread(this::stop, "local-git-server-stop");
  private int httpPort;
  private int httpsPort;
  private int sshPort;
  private HttpServer http;
  private HttpsServer https;
  private SshServer ssh;
  private ExecutorService requests;

  private LocalGitServer(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.log = this.root.resolve("server.log");
  }

  /** Starts a server over a new temporary folder, deleted again by {@link #close()}. */
  public static LocalGitServer launch() {
    try {
      return launch(Files.createTempDirectory("trustsync-git-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static LocalGitServer launch(Path root) {
    LocalGitServer server = new LocalGitServer(root);
    server.start();
    return server;
  }

  /** Starts serving again after {@link #stop()}, on the same ports. */
  public synchronized void start() {
    if (running()) {
      return;
    }
    try {
      requests = Executors.newVirtualThreadPerTaskExecutor();
      GitHttpBackend backend = new GitHttpBackend(root, repositories::get, log);
      http = HttpServer.create(new InetSocketAddress(LOOPBACK, httpPort), 50);
      http.createContext("/", backend);
      http.setExecutor(requests);
      http.start();
      httpPort = http.getAddress().getPort();

      https = HttpsServer.create(new InetSocketAddress(LOOPBACK, httpsPort), 50);
      https.setHttpsConfigurator(new HttpsConfigurator(authority.sslContext(serverCertificate)));
      https.createContext("/", backend);
      https.setExecutor(requests);
      https.start();
      httpsPort = https.getAddress().getPort();

      ssh = SshServer.setUpDefaultServer();
      ssh.setHost(LOOPBACK.getHostAddress());
      ssh.setPort(sshPort);
      ssh.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
      ssh.setPasswordAuthenticator(null);
      ssh.setKeyboardInteractiveAuthenticator(null);
      ssh.setPublickeyAuthenticator((user, key, session) -> {
        boolean known = repositories.values().stream().anyMatch(repository -> repository.acceptsKey(key));
        if (known) {
          session.setAttribute(GitSshCommand.AUTHENTICATED_KEY, key);
        }
        return known;
      });
      ssh.setCommandFactory((channel, command) -> new GitSshCommand(root, command, repositories::get));
      ssh.start();
      sshPort = ssh.getPort();
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException("cannot start the Git server on " + root, e);
    }
  }

  /** Stops serving (an outage); repositories and ports are kept for {@link #start()}. */
  public synchronized void stop() {
    if (http != null) {
      http.stop(0);
      http = null;
    }
    if (https != null) {
      https.stop(0);
      https = null;
    }
    if (ssh != null) {
      try {
        ssh.stop(true);
      } catch (IOException ignored) {
        // stopping is best effort; the port is checked again on start
      }
      ssh = null;
    }
    if (requests != null) {
      requests.shutdownNow();
      requests = null;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // the JVM is already shutting down, or the hook was not registered
    }
  }

  public synchronized boolean running() {
    return http != null;
  }

  /** Stops the server and deletes its repositories. */
  @Override
  public void close() {
    stop();
    LocalControlPlane.deleteRecursively(root);
  }

  /** Creates an empty bare repository {@code <name>.git} whose default branch is {@code main}. */
  public LocalGitRepository createRepository(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("repository names are simple words: " + name);
    }
    Path directory = root.resolve(name + ".git");
    run("git", "init", "--quiet", "--bare", "--initial-branch=" + LocalGitRepository.BRANCH, directory.toString());
    LocalGitRepository repository = new LocalGitRepository(name, directory, this);
    if (repositories.putIfAbsent(name, repository) != null) {
      throw new IllegalArgumentException("repository exists: " + name);
    }
    return repository;
  }

  public LocalGitRepository repository(String name) {
    return repositories.get(name);
  }

  public Path root() {
    return root;
  }

  public int httpPort() {
    return httpPort;
  }

  public int httpsPort() {
    return httpsPort;
  }

  public int sshPort() {
    return sshPort;
  }

  /** The CA that signed the HTTPS certificate, for a client's trusted CA list. */
  public String certificateAuthorityPem() {
    return authority.certificatePem();
  }

  public CertificateAuthority certificateAuthority() {
    return authority;
  }

  public PublicKey hostKey() {
    return hostKey.getPublic();
  }

  /** The line a client's known_hosts file needs to trust this server's SSH host key. */
  public String knownHostsLine() {
    return "[127.0.0.1]:" + sshPort + " " + SshCommitSigner.openSshPublicKey(hostKey.getPublic());
  }

  private void run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
