package io.trustsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustsync.local.CertificateAuthority;
import io.trustsync.local.GitCommit;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.PgpCommitSigner;
import io.trustsync.local.SshCommitSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against the real git http-backend (HTTP and HTTPS) and an SSH server running git-upload-pack. */
class GitServerFetchIT {

  static LocalGitServer server;
  static LocalGitRepository basic;
  static LocalGitRepository bearer;
  static LocalGitRepository ssh;
  static String head;
  @TempDir static Path keys;
  static Path deployKey;

  @TempDir Path cache;
  GitFetcher fetcher;

  @BeforeAll
  static void startServer() throws Exception {
    server = LocalGitServer.launch();
    deployKey = sshKeygen("deploy", "");
    basic = server.createRepository("basic").allowPassword("alice", "s3cret");
    bearer = server.createRepository("bearer").allowToken("t0ken");
    ssh = server.createRepository("ssh").allowKey(publicKey(deployKey));
    GitCommit commit = GitCommit.of(Map.of("trustpolicy.json", "{\"version\":\"1.0\"}"));
    head = basic.commit(commit);
    bearer.commit(commit);
    ssh.commit(commit);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void setUp() {
    fetcher = new GitFetcher(cache, SourceRules.DEFAULT.allowingLoopback());
  }

  @Test
  void basicAuthWithTheRightPasswordFetches() throws Exception {
    GitSource source = GitSource.of(basic.httpsUrl().toString()).withAuth(new GitAuth.Basic("alice", "s3cret"))
        .withCaPem(server.certificateAuthorityPem());

    FetchResult result = fetcher.fetch("basic", source);

    assertThat(result.commitId()).isEqualTo(head);
    assertThat(result.snapshotRoot().resolve("trustpolicy.json")).hasContent("{\"version\":\"1.0\"}");
  }

  @Test
  void basicAuthWithAWrongPasswordSaysToCheckTheCredentials() {
    GitSource source = GitSource.of(basic.httpsUrl().toString()).withAuth(new GitAuth.Basic("alice", "wrong"))
        .withCaPem(server.certificateAuthorityPem());

    assertThatThrownBy(() -> fetcher.fetch("basic", source))
        .isInstanceOf(SourceException.class)
        .hasMessage("authentication failed for " + basic.httpsUrl() + ": check the username and password in the credentials Secret");
  }

  @Test
  void noCredentialsForAProtectedRepositorySaysCredentialsAreNeeded() {
    assertThatThrownBy(() -> fetcher.fetch("basic", GitSource.of(basic.httpsUrl().toString()).withCaPem(server.certificateAuthorityPem())))
        .hasMessageStartingWith("authentication failed for " + basic.httpsUrl() + ": the repository needs credentials");
  }

  @Test
  void bearerTokenIsSentAsAuthorizationHeader() throws Exception {
    GitSource source = GitSource.of(bearer.httpsUrl().toString()).withAuth(new GitAuth.Bearer("t0ken"))
        .withCaPem(server.certificateAuthorityPem());

    assertThat(fetcher.fetch("bearer", source).commitId()).isEqualTo(head);
  }

  @Test
  void wrongBearerTokenSaysToCheckTheToken() {
    GitSource source = GitSource.of(bearer.httpsUrl().toString()).withAuth(new GitAuth.Bearer("stolen"))
        .withCaPem(server.certificateAuthorityPem());

    assertThatThrownBy(() -> fetcher.fetch("bearer", source))
        .hasMessage("authentication failed for " + bearer.httpsUrl() + ": check the bearer token in the credentials Secret");
  }

  @Test
  void httpsServerSignedByAPrivateCaIsTrustedWithThatCa() throws Exception {
    GitSource source = GitSource.of(basic.httpsUrl().toString()).withAuth(new GitAuth.Basic("alice", "s3cret"))
        .withCaPem(server.certificateAuthorityPem());

    assertThat(fetcher.fetch("https", source).commitId()).isEqualTo(head);
  }

  @Test
  void httpsServerOfAnUnknownCaIsRefusedWithAHintToSetTheCa() {
    GitSource source = GitSource.of(basic.httpsUrl().toString()).withAuth(new GitAuth.Basic("alice", "s3cret"));

    assertThatThrownBy(() -> fetcher.fetch("https", source))
        .hasMessage("TLS certificate of " + basic.httpsUrl()
            + " is not trusted: if the server uses a private CA, put its certificate in the credentials Secret as ca.crt");
  }

  @Test
  void httpsServerIsRefusedWhenTheConfiguredCaDidNotSignIt() {
    GitSource source = GitSource.of(basic.httpsUrl().toString()).withAuth(new GitAuth.Basic("alice", "s3cret"))
        .withCaPem(CertificateAuthority.create("someone-else").certificatePem());

    assertThatThrownBy(() -> fetcher.fetch("https", source))
        .hasMessageEndingWith("is not trusted: it is not signed by the CA in ca.crt");
  }

  @Test
  void sshWithADeployKeyAndTheKnownHostKeyFetches() throws Exception {
    GitSource source = sshSource(deployKey, null, server.knownHostsLine());

    assertThat(fetcher.fetch("ssh", source).commitId()).isEqualTo(head);
  }

  @Test
  void sshWithAPassphraseProtectedKeyFetches() throws Exception {
    Path protectedKey = sshKeygen("protected", "correct horse");
    ssh.allowKey(publicKey(protectedKey));

    assertThat(fetcher.fetch("ssh", sshSource(protectedKey, "correct horse", server.knownHostsLine())).commitId())
        .isEqualTo(head);
    assertThatThrownBy(() -> fetcher.fetch("ssh", sshSource(protectedKey, "wrong", server.knownHostsLine())))
        .hasMessageStartingWith("the SSH private key (identity) cannot be read");
  }

  @Test
  void sshWithAnUnregisteredKeyIsRefused() throws Exception {
    GitSource source = sshSource(sshKeygen("stranger", ""), null, server.knownHostsLine());

    assertThatThrownBy(() -> fetcher.fetch("ssh", source))
        .hasMessage("authentication failed for " + ssh.sshUrl()
            + ": the server refused the SSH key; check it is a deploy key of this repository");
  }

  @Test
  void sshServerWhoseHostKeyChangedIsRefused() {
    String impostor = "[127.0.0.1]:" + server.sshPort() + " "
        + SshCommitSigner.openSshPublicKey(SshCommitSigner.newEd25519KeyPair().getPublic());

    assertThatThrownBy(() -> fetcher.fetch("ssh", sshSource(deployKey, null, impostor)))
        .hasMessageStartingWith("host key for [127.0.0.1]:" + server.sshPort() + " does not match known_hosts");
  }

  @Test
  void sshServerMissingFromKnownHostsIsRefused() {
    String otherHost = "git.example.org " + SshCommitSigner.openSshPublicKey(server.hostKey());

    assertThatThrownBy(() -> fetcher.fetch("ssh", sshSource(deployKey, null, otherHost)))
        .hasMessageStartingWith("host key of [127.0.0.1]:" + server.sshPort() + " is not in known_hosts");
  }

  @Test
  void commitsSignedByTheHarnessSignersAreTrustedForTheirKeys() throws Exception {
    LocalGitRepository signed = server.createRepository("signed");
    PgpCommitSigner pgp = PgpCommitSigner.generate("Alice <alice@example.org>");
    SshCommitSigner sshSigner = SshCommitSigner.generate();
    GitCommit commit = GitCommit.of(Map.of("trustpolicy.json", "{}"));
    GitSource source = GitSource.of(signed.httpsUrl().toString()).withCaPem(server.certificateAuthorityPem())
        .withTrustedKeys(pgp.armoredPublicKey() + "\n" + sshSigner.allowedSignersLine("bob@example.org"));

    signed.commit(commit.signedBy(pgp));
    SignatureVerdict pgpVerdict = fetcher.fetch("signed", source).signature();
    signed.commit(commit.withMessage("by ssh").signedBy(sshSigner));
    SignatureVerdict sshVerdict = fetcher.fetch("signed", source).signature();
    signed.commit(commit.withMessage("unsigned"));
    SignatureVerdict unsignedVerdict = fetcher.fetch("signed", source).signature();

    assertThat(pgpVerdict.trusted()).as(pgpVerdict.reason()).isTrue();
    assertThat(pgpVerdict.keyFingerprint()).isEqualTo(pgp.fingerprint());
    assertThat(sshVerdict.trusted()).as(sshVerdict.reason()).isTrue();
    assertThat(unsignedVerdict.trusted()).isFalse();
    assertThat(unsignedVerdict.reason()).isEqualTo("commit is not signed");
  }

  @Test
  void parallelFetchesOfOneSourceAllSeeTheSameCommit() throws Exception {
    GitSource source = GitSource.of(bearer.httpsUrl().toString()).withAuth(new GitAuth.Bearer("t0ken"))
        .withCaPem(server.certificateAuthorityPem());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Callable<String> fetch = () -> fetcher.fetch("shared", source).commitId();
      List<Future<String>> results = pool.invokeAll(List.of(fetch, fetch, fetch, fetch), 60, TimeUnit.SECONDS);
      for (Future<String> result : results) {
        assertThat(result.get()).isEqualTo(head);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void plainHttpIsRefusedUnlessAllowedAndNeverCarriesCredentials() throws Exception {
    String url = bearer.httpUrl().toString();
    assertThatThrownBy(() -> fetcher.fetch("plain", GitSource.of(url)))
        .hasMessageStartingWith("plain http:// is refused").hasMessageContaining("--allow-insecure-http");

    try (GitFetcher lenient = new GitFetcher(cache.resolve("lenient"), SourceRules.DEFAULT.allowingLoopback().allowingPlainHttp())) {
      LocalGitRepository open = server.createRepository("open-" + System.nanoTime());
      String commit = open.commit(GitCommit.of(Map.of("trustpolicy.json", "{}")));
      assertThat(lenient.fetch("open", GitSource.of(open.httpUrl().toString())).commitId()).isEqualTo(commit);
      assertThatThrownBy(() -> lenient.fetch("plain", GitSource.of(url).withAuth(new GitAuth.Bearer("t0ken"))))
          .hasMessageStartingWith("credentials are never sent over plain http://");
      String withUserInfo = url.replace("http://", "http://alice:s3cret@");
      assertThatThrownBy(() -> lenient.fetch("plain", GitSource.of(withUserInfo)))
          .hasMessageStartingWith("credentials are never sent over plain http://").hasMessageNotContaining("s3cret");
    }
  }

  private GitSource sshSource(Path privateKey, String passphrase, String knownHosts) {
    try {
      return GitSource.of(ssh.sshUrl().toString())
          .withAuth(new GitAuth.SshKey(Files.readString(privateKey), passphrase, knownHosts));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A key in OpenSSH's own format, made by ssh-keygen, as a user would put it in a Secret. */
  private static Path sshKeygen(String name, String passphrase) throws IOException, InterruptedException {
    Path key = keys.resolve(name);
    Process process = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-f", key.toString())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("ssh-keygen failed: " + output);
    }
    return key;
  }

  private static PublicKey publicKey(Path privateKey) throws Exception {
    return PublicKeyEntry.parsePublicKeyEntry(Files.readString(Path.of(privateKey + ".pub")).strip())
        .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
  }
}
