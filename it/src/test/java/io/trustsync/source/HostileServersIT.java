package io.trustsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.trustsync.local.CertificateAuthority;
import io.trustsync.local.GitCommit;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.HostileServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher against servers that try to read through it, stall it, flood it or steal its
 * credentials: what a tenant's PolicySource could point at.
 */
class HostileServersIT {
  static LocalGitServer git;
  static final SourceRules LOOPBACK = SourceRules.DEFAULT.allowingLoopback().allowingPlainHttp();

  @TempDir Path cache;

  @BeforeAll
  static void startGit() {
    git = LocalGitServer.launch();
  }

  @AfterAll
  static void stopGit() {
    git.close();
  }

  private static SourceException failure(GitFetcher fetcher, GitSource source) {
    try {
      fetcher.fetch("k", source);
    } catch (SourceException e) {
      return e;
    }
    throw new AssertionError("fetch of " + source.displayUrl() + " succeeded");
  }

  @Test
  void whatANonGitServerSendsNeverReachesTheMessageAndLooksLikeAClosedPort() throws Exception {
    try (GitFetcher fetcher = new GitFetcher(cache, LOOPBACK);
        HostileServer leaking = HostileServer.leaking("SECRET-etcd-version-3.5");
        ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int closedPort = closed.getLocalPort();
      closed.close();
      String leakingUrl = leaking.url("/version");
      String closedUrl = "http://127.0.0.1:" + closedPort + "/version";

      String fromLeaking = failure(fetcher, GitSource.of(leakingUrl)).getMessage();
      String fromClosed = failure(fetcher, GitSource.of(closedUrl)).getMessage();

      assertThat(leaking.connections()).as("the server was asked").isPositive();
      assertThat(fromLeaking).doesNotContain("SECRET").isEqualTo(SourceException.UNREACHABLE.formatted(leakingUrl));
      assertThat(fromLeaking.replace(leakingUrl, "URL")).as("no port-scan oracle").isEqualTo(fromClosed.replace(closedUrl, "URL"));
    }
  }

  @Test
  void aTokenInTheQueryStringIsNeverShown() throws Exception {
    SourceRules rules = SourceRules.DEFAULT.allowingLoopback().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
    try (GitFetcher fetcher = new GitFetcher(cache, rules);
        HostileServer leaking = HostileServer.leaking("nothing")) {
      String url = "https://127.0.0.1:" + leaking.port() + "/repo.git?private_token=glpat-SECRET";

      String message = failure(fetcher, GitSource.of(url)).getMessage();

      assertThat(message).doesNotContain("glpat-SECRET").contains("/repo.git?redacted");
    }
  }

  @Test
  void aServerThatTricklesIsCutOffAtTheFetchDeadline() throws Exception {
    SourceRules rules = LOOPBACK.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
    try (GitFetcher fetcher = new GitFetcher(cache, rules);
        HostileServer trickling = HostileServer.trickling(Duration.ofMillis(300))) {
      long start = System.nanoTime();

      SourceException e = failure(fetcher, GitSource.of(trickling.url("/repo.git")));

      assertThat(e.getMessage()).startsWith("fetching " + trickling.url("/repo.git") + " took longer than its timeout of 2s");
      // bounded, not timed: without a deadline this fetch never ends (a byte every 300 ms beats every read timeout)
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(30)).until(() -> trickling.openConnections() == 0);
    }
  }

  @Test
  void anObjectOverTheObjectLimitIsRefusedFromItsHeaderAndNotKept() throws Exception {
    LocalGitRepository bomb = git.createRepository("object-" + System.nanoTime());
    // two commits of zeros: the pack may carry the second whole or as a delta of the first; either
    // way its size is read from the header and refused before anything is inflated
    bomb.commitWithZeros(GitCommit.of(Map.of("trustpolicy.json", "{}")), "zeros.bin", 2L * 1024 * 1024);
    bomb.commitWithZeros(GitCommit.of(Map.of("trustpolicy.json", "{}")), "zeros.bin", 200L * 1024 * 1024);
    try (GitFetcher fetcher = new GitFetcher(cache, LOOPBACK)) {

      SourceException e = failure(fetcher, GitSource.of(bomb.httpUrl().toString()));

      assertThat(e.getMessage()).startsWith("the server sent a Git object over the " + SourceRules.DEFAULT_MAX_OBJECT_BYTES
          + "-byte object limit (--max-object-bytes)");
      assertThat(sizeOf(fetcher.folder("k"))).as("bytes in the cache").isLessThan(8L * 1024 * 1024);
    }
  }

  @Test
  void aGitProtocolErrorIsShownWithoutTheUrlsCredentials() throws Exception {
    CertificateAuthority authority = CertificateAuthority.create("git-error");
    try (HostileServer refusing = HostileServer.gitError("repository disabled by policy",
            authority.sslContext(authority.issueServer("127.0.0.1")));
        GitFetcher fetcher = new GitFetcher(cache, SourceRules.DEFAULT.allowingLoopback())) {
      GitSource source = GitSource.of("https://bot-token-SECRET@127.0.0.1:" + refusing.port() + "/repo.git?private_token=SECRET2")
          .withCaPem(authority.certificatePem());

      String message = failure(fetcher, source).getMessage();

      assertThat(message).contains("repository disabled by policy").doesNotContain("SECRET");
    }
  }

  @Test
  void aBlobBombIsRejectedWithAFindingAndNothingOfItsSizeIsWritten() throws Exception {
    LocalGitRepository bomb = git.createRepository("bomb-" + System.nanoTime());
    long size = 12L * 1024 * 1024; // under the object limit, over the file limit: the checkout refuses it
    String commit = bomb.commitWithZeros(GitCommit.of(Map.of("environments/production/trustpolicy.json", "{}")), "docs/zeros.bin", size);
    try (GitFetcher fetcher = new GitFetcher(cache, LOOPBACK)) {

      SourceException e = failure(fetcher, GitSource.of(bomb.httpUrl().toString()));

      assertThat(e.rejectedCommit()).isEqualTo(commit);
      assertThat(e.finding().ruleId()).isEqualTo("repo.checkoutLimit");
      assertThat(e.finding().file()).isEqualTo("docs/zeros.bin");
      assertThat(e.finding().message()).contains(size + " bytes, over the " + CheckoutLimits.DEFAULT.maxFileBytes() + "-byte checkout limit");
      assertThat(sizeOf(fetcher.folder("k"))).as("bytes in the cache").isLessThan(4L * 1024 * 1024);
      try (Stream<Path> files = Files.walk(fetcher.folder("k"))) {
        assertThat(files.filter(p -> p.getFileName().toString().equals("zeros.bin")).toList()).isEmpty();
      }
    }
  }

  @Test
  void fileCountAndTotalSizeLimitsRejectTheRevisionBeforeWriting() throws Exception {
    LocalGitRepository many = git.createRepository("many-" + System.nanoTime());
    String commit = many.commit(GitCommit.of(Map.of("a.json", "{}", "b.json", "{}", "c.json", "{}", "d.json", "0123456789")));
    SourceRules threeFiles = LOOPBACK.withLimits(SourceRules.DEFAULT_MAX_FETCH_BYTES, SourceRules.DEFAULT_MAX_OBJECT_BYTES,
        new CheckoutLimits(3, 1024, 1024));
    SourceRules tenBytes = LOOPBACK.withLimits(SourceRules.DEFAULT_MAX_FETCH_BYTES, SourceRules.DEFAULT_MAX_OBJECT_BYTES,
        new CheckoutLimits(100, 1024, 10));
    try (GitFetcher files = new GitFetcher(cache.resolve("files"), threeFiles);
        GitFetcher bytes = new GitFetcher(cache.resolve("bytes"), tenBytes)) {
      SourceException tooMany = failure(files, GitSource.of(many.httpUrl().toString()));
      SourceException tooBig = failure(bytes, GitSource.of(many.httpUrl().toString()));

      assertThat(tooMany.rejectedCommit()).isEqualTo(commit);
      assertThat(tooMany.finding().message()).startsWith("the revision holds more than 3 files");
      assertThat(tooBig.finding().message()).startsWith("the revision's files add up to more than 10 bytes");
      assertThat(files.folder("k").resolve("snapshots")).isEmptyDirectory();
    }
  }

  @Test
  void aRedirectToAnotherHostNeverCarriesTheCredentials() throws Exception {
    CertificateAuthority authority = CertificateAuthority.create("redirect-test");
    List<String> authorizationAtOrigin = new CopyOnWriteArrayList<>();
    List<String> authorizationElsewhere = new CopyOnWriteArrayList<>();
    HttpsServer elsewhere = https(authority, exchange -> {
      authorizationElsewhere.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    HttpsServer origin = https(authority, exchange -> {
      authorizationAtOrigin.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      // same machine, another host name: credentials for 127.0.0.1 are not for localhost
      exchange.getResponseHeaders().set("Location", "https://localhost:" + elsewhere.getAddress().getPort() + exchange.getRequestURI());
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    try (GitFetcher fetcher = new GitFetcher(cache, SourceRules.DEFAULT.allowingLoopback())) {
      GitSource source = GitSource.of("https://127.0.0.1:" + origin.getAddress().getPort() + "/repo.git")
          .withAuth(new GitAuth.Bearer("t0ken-for-origin")).withCaPem(authority.certificatePem());

      failure(fetcher, source);

      assertThat(authorizationAtOrigin).contains("Bearer t0ken-for-origin");
      assertThat(authorizationElsewhere).as("the redirect was followed").isNotEmpty().allMatch(header -> header.equals("null"));
    } finally {
      origin.stop(0);
      elsewhere.stop(0);
    }
  }

  @Test
  void aForcePushBackIsReportedAsNotDescendingFromTheBaseline() throws Exception {
    LocalGitRepository repo = git.createRepository("history-" + System.nanoTime());
    String first = repo.commit(GitCommit.of(Map.of("a.json", "{\"v\":1}")));
    String second = repo.commit(GitCommit.of(Map.of("a.json", "{\"v\":2}")));
    try (GitFetcher fetcher = new GitFetcher(cache, LOOPBACK)) {
      GitSource source = GitSource.of(repo.httpUrl().toString());
      assertThat(fetcher.fetch("k", source, Duration.ofSeconds(30), first).ancestry()).isEqualTo(FetchResult.Ancestry.DESCENDANT);
      assertThat(fetcher.fetch("k", source, Duration.ofSeconds(30), second).ancestry()).isEqualTo(FetchResult.Ancestry.SAME);

      repo.forcePush(first);
      FetchResult back = fetcher.fetch("k", source, Duration.ofSeconds(30), second);
      String other = repo.commit(GitCommit.of(Map.of("a.json", "{\"v\":3}")));
      FetchResult diverged = fetcher.fetch("k", source, Duration.ofSeconds(30), second);

      assertThat(back.commitId()).isEqualTo(first);
      assertThat(back.ancestry()).isEqualTo(FetchResult.Ancestry.NOT_DESCENDANT);
      assertThat(diverged.commitId()).isEqualTo(other);
      assertThat(diverged.ancestry()).isEqualTo(FetchResult.Ancestry.NOT_DESCENDANT);
    }
  }

  private static HttpsServer https(CertificateAuthority authority, com.sun.net.httpserver.HttpHandler handler) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    server.setHttpsConfigurator(new HttpsConfigurator(authority.sslContext(authority.issueServer("127.0.0.1"))));
    server.createContext("/", handler);
    server.start();
    return server;
  }

  private static long sizeOf(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
