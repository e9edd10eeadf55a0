package io.trustsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustsync.local.GitCommit;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.SshCommitSigner;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.transport.HttpTransport;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clones and pushes against a real Git server: smart HTTP(S) via git http-backend, and SSH. */
class GitServerIT {

  private static final KeyPair DEPLOY_KEY = SshCommitSigner.newEd25519KeyPair();

  private static LocalGitServer git;
  private static LocalGitRepository policies;
  private static String firstCommit;

  @TempDir Path work;

  @BeforeAll
  static void startServer() {
    git = LocalGitServer.launch();
    policies = git.createRepository("policies")
        .allowPassword("alice", "correct-horse")
        .allowToken("t0ken")
        .allowKey(DEPLOY_KEY.getPublic());
    firstCommit = policies.commit(GitCommit.of(Map.of("trustpolicy.json", "{\"version\": \"1.0\"}")));
  }

  @AfterAll
  static void stopServer() {
    git.close();
  }

  @Test
  void clonesOverHttpWithTheRightPassword() throws Exception {
    try (Git clone = Git.cloneRepository().setURI(policies.httpUrl().toString()).setDirectory(work.toFile())
        .setCredentialsProvider(new UsernamePasswordCredentialsProvider("alice", "correct-horse")).call()) {
      assertThat(clone.getRepository().resolve("HEAD").name()).isEqualTo(firstCommit);
      assertThat(work.resolve("trustpolicy.json")).hasContent("{\"version\": \"1.0\"}");
    }
  }

  @Test
  void refusesAWrongPasswordAndNoCredentials() {
    assertThatThrownBy(() -> Git.cloneRepository().setURI(policies.httpUrl().toString())
            .setDirectory(work.resolve("wrong").toFile())
            .setCredentialsProvider(new UsernamePasswordCredentialsProvider("alice", "wrong")).call().close())
        .isInstanceOf(TransportException.class).hasMessageContaining("not authorized");
    assertThatThrownBy(() -> Git.cloneRepository().setURI(policies.httpUrl().toString())
            .setDirectory(work.resolve("anonymous").toFile()).call().close())
        .isInstanceOf(TransportException.class);
  }

  @Test
  void clonesWithABearerToken() throws Exception {
    try (Git clone = Git.cloneRepository().setURI(policies.httpUrl().toString()).setDirectory(work.toFile())
        .setTransportConfigCallback(transport ->
            ((TransportHttp) transport).setAdditionalHeaders(Map.of("Authorization", "Bearer t0ken")))
        .call()) {
      assertThat(clone.getRepository().resolve("HEAD").name()).isEqualTo(firstCommit);
    }
    assertThatThrownBy(() -> Git.cloneRepository().setURI(policies.httpUrl().toString())
            .setDirectory(work.resolve("bad-token").toFile())
            .setTransportConfigCallback(transport ->
                ((TransportHttp) transport).setAdditionalHeaders(Map.of("Authorization", "Bearer nope")))
            .call().close())
        .isInstanceOf(TransportException.class);
  }

  @Test
  void pushesOverHttpAsAnAuthenticatedUser() throws Exception {
    var alice = new UsernamePasswordCredentialsProvider("alice", "correct-horse");
    try (Git clone = Git.cloneRepository().setURI(policies.httpUrl().toString()).setDirectory(work.toFile())
        .setCredentialsProvider(alice).call()) {
      Files.writeString(work.resolve("README.md"), "pushed over http\n");
      clone.add().addFilepattern("README.md").call();
      String pushed = clone.commit().setMessage("Add readme").setAuthor("Alice", "alice@example.com")
          .setSign(false).call().name();
      clone.push().setCredentialsProvider(alice).call();

      assertThat(policies.head()).isEqualTo(pushed);
    } finally {
      // Put main back so the other tests see the commit they expect.
      resetMainTo(firstCommit);
    }
  }

  @Test
  void clonesOverHttpsOnlyWhenTheServersCaIsTrusted() throws Exception {
    assertThatThrownBy(() -> Git.cloneRepository().setURI(policies.httpsUrl().toString())
            .setDirectory(work.resolve("untrusted").toFile())
            .setCredentialsProvider(new UsernamePasswordCredentialsProvider("alice", "correct-horse")).call().close())
        .isInstanceOf(TransportException.class);

    // JGit has no per-clone CA setting; its connection factory is JVM-wide, so restore it.
    HttpConnectionFactory previous = HttpTransport.getConnectionFactory();
    HttpTransport.setConnectionFactory(trusting(git));
    try (Git clone = Git.cloneRepository().setURI(policies.httpsUrl().toString())
        .setDirectory(work.resolve("jgit").toFile())
        .setCredentialsProvider(new UsernamePasswordCredentialsProvider("alice", "correct-horse")).call()) {
      assertThat(clone.getRepository().resolve("HEAD").name()).isEqualTo(firstCommit);
    } finally {
      HttpTransport.setConnectionFactory(previous);
    }

    // And the git command line with http.sslCAInfo, as a user would configure it.
    Path ca = Files.writeString(work.resolve("ca.pem"), git.certificateAuthorityPem());
    String url = policies.httpsUrl().toString().replace("https://", "https://alice:correct-horse@");
    GitCommand.run(work, "git", "-c", "http.sslCAInfo=" + ca, "clone", "--quiet", url, "cli").assertSucceeded();
    assertThat(work.resolve("cli/trustpolicy.json")).exists();
  }

  @Test
  void clonesOverSshWithARegisteredKeyAndAKnownHostKey() throws Exception {
    try (SshdSessionFactory ssh = sshClient(DEPLOY_KEY, git.knownHostsLine());
        Git clone = Git.cloneRepository().setURI(policies.sshUrl().toString()).setDirectory(work.resolve("ok").toFile())
            .setTransportConfigCallback(transport -> ((SshTransport) transport).setSshSessionFactory(ssh)).call()) {
      assertThat(clone.getRepository().resolve("HEAD").name()).isEqualTo(firstCommit);
    }
  }

  @Test
  void refusesAnUnknownKeyOverSsh() {
    assertThatThrownBy(() -> {
      try (SshdSessionFactory ssh = sshClient(SshCommitSigner.newEd25519KeyPair(), git.knownHostsLine())) {
        Git.cloneRepository().setURI(policies.sshUrl().toString()).setDirectory(work.resolve("clone").toFile())
            .setTransportConfigCallback(transport -> ((SshTransport) transport).setSshSessionFactory(ssh)).call().close();
      }
    }).isInstanceOf(TransportException.class).hasMessageContaining("Cannot log in");
  }

  @Test
  void refusesAServerWhoseHostKeyDiffersFromKnownHosts() {
    String impostor = "[127.0.0.1]:" + git.sshPort() + " "
        + SshCommitSigner.openSshPublicKey(SshCommitSigner.newEd25519KeyPair().getPublic());
    assertThatThrownBy(() -> {
      try (SshdSessionFactory ssh = sshClient(DEPLOY_KEY, impostor)) {
        Git.cloneRepository().setURI(policies.sshUrl().toString()).setDirectory(work.resolve("clone").toFile())
            .setTransportConfigCallback(transport -> ((SshTransport) transport).setSshSessionFactory(ssh)).call().close();
      }
    }).isInstanceOf(TransportException.class).hasMessageContaining("Server key did not validate");
  }

  @Test
  void serverStoppedRefusesClonesAndServesAgainOnTheSamePortsAfterStart() throws Exception {
    int port = git.httpPort();
    var alice = new UsernamePasswordCredentialsProvider("alice", "correct-horse");
    git.stop();
    try {
      assertThatThrownBy(() -> Git.cloneRepository().setURI(policies.httpUrl().toString())
              .setDirectory(work.resolve("down").toFile()).setCredentialsProvider(alice).call().close())
          .isInstanceOf(TransportException.class);
    } finally {
      git.start();
    }
    assertThat(git.httpPort()).isEqualTo(port);
    try (Git clone = Git.cloneRepository().setURI(policies.httpUrl().toString())
        .setDirectory(work.resolve("up").toFile()).setCredentialsProvider(alice).call()) {
      assertThat(clone.getRepository().resolve("HEAD").name()).isEqualTo(firstCommit);
    }
  }

  private SshdSessionFactory sshClient(KeyPair identity, String knownHostsLine) throws IOException {
    Path home = Files.createTempDirectory(work, "home");
    Path sshDir = Files.createDirectories(home.resolve(".ssh"));
    Path knownHosts = Files.writeString(sshDir.resolve("known_hosts"), knownHostsLine + "\n");
    Path config = Files.writeString(sshDir.resolve("config"), "Host *\n  StrictHostKeyChecking yes\n");
    return new SshdSessionFactoryBuilder()
        .setHomeDirectory(home.toFile())
        .setSshDirectory(sshDir.toFile())
        .setConfigFile(dir -> config.toFile())
        .setDefaultKnownHostsFiles(dir -> List.of(knownHosts))
        .setDefaultKeysProvider(dir -> List.of(identity))
        .setPreferredAuthentications("publickey")
        .build(null);
  }

  private static HttpConnectionFactory trusting(LocalGitServer server) throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("git-ca", server.certificateAuthority().certificate());
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    TrustManager[] trustManagers = factory.getTrustManagers();
    return new JDKHttpConnectionFactory() {
      @Override
      public HttpConnection create(URL url) throws IOException {
        return trust(super.create(url));
      }

      @Override
      public HttpConnection create(URL url, java.net.Proxy proxy) throws IOException {
        return trust(super.create(url, proxy));
      }

      private HttpConnection trust(HttpConnection connection) throws IOException {
        try {
          connection.configure(null, trustManagers, null);
        } catch (java.security.GeneralSecurityException e) {
          throw new IOException(e);
        }
        return connection;
      }
    };
  }

  private static void resetMainTo(String commit) throws IOException, InterruptedException {
    GitCommand.run(policies.directory(), "git", "update-ref", "refs/heads/main", commit).assertSucceeded();
  }
}
