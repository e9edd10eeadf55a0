package io.trustsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against repositories written by the real git command line, over file://. */
class GitFetcherTest {

  @TempDir Path temp;
  GitWorkTree origin;
  GitFetcher fetcher;

  @BeforeEach
  void setUp() {
    origin = GitWorkTree.init(temp.resolve("origin"));
    fetcher = new GitFetcher(temp.resolve("cache"), SourceRules.DEFAULT.allowingLocal());
  }

  @Test
  void fetchesTheDefaultBranchAndWritesItsTree() throws Exception {
    origin.write("policies/trustpolicy.json", "{\"version\":\"1.0\"}").write("README.md", "hi");
    String id = origin.commit("Add policy\n\nlong explanation");

    FetchResult result = fetcher.fetch("team/policies", GitSource.of(origin.url()));

    assertThat(result.commitId()).isEqualTo(id);
    assertThat(result.ref()).isEqualTo("refs/heads/main");
    assertThat(result.author()).isEqualTo("Alice Author <alice@example.org>");
    assertThat(result.messageFirstLine()).isEqualTo("Add policy");
    assertThat(result.snapshotRoot()).endsWith(Path.of("snapshots", id));
    assertThat(result.snapshotRoot().resolve("policies/trustpolicy.json")).hasContent("{\"version\":\"1.0\"}");
    assertThat(result.signature().signed()).isFalse();
  }

  @Test
  void fetchesANamedBranch() throws Exception {
    origin.write("a.txt", "main").commit("main");
    origin.git("checkout", "--quiet", "-b", "release-1");
    String release = origin.write("a.txt", "release").commit("release");

    FetchResult result = fetcher.fetch("k", GitSource.of(origin.url()).withRef(new GitRef.Branch("release-1")));

    assertThat(result.commitId()).isEqualTo(release);
    assertThat(result.snapshotRoot().resolve("a.txt")).hasContent("release");
  }

  @Test
  void fetchesAnnotatedAndLightweightTags() throws Exception {
    String first = origin.write("a.txt", "1").commit("one");
    origin.git("tag", "-a", "-m", "first release", "v1.0.0");
    String second = origin.write("a.txt", "2").commit("two");
    origin.git("tag", "light");
    origin.write("a.txt", "3").commit("three");

    assertThat(fetcher.fetch("k", GitSource.of(origin.url()).withRef(new GitRef.Tag("v1.0.0"))).commitId()).isEqualTo(first);
    FetchResult light = fetcher.fetch("k", GitSource.of(origin.url()).withRef(new GitRef.Tag("light")));
    assertThat(light.commitId()).isEqualTo(second);
    assertThat(light.ref()).isEqualTo("refs/tags/light");
  }

  @Test
  void picksTheHighestTagInTheSemverRange() throws Exception {
    origin.write("a.txt", "1.2.0").commit("c");
    origin.git("tag", "v1.2.0");
    String best = origin.write("a.txt", "1.10.0").commit("c");
    origin.git("tag", "-a", "-m", "annotated", "v1.10.0");
    origin.write("a.txt", "1.11.0-rc.1").commit("c");
    origin.git("tag", "v1.11.0-rc.1");
    origin.write("a.txt", "2.0.0").commit("c");
    origin.git("tag", "2.0.0");
    origin.git("tag", "not-a-version");

    FetchResult result = fetcher.fetch("k", GitSource.of(origin.url()).withRef(new GitRef.SemVer(">=1.0.0 <2.0.0")));

    assertThat(result.commitId()).isEqualTo(best);
    assertThat(result.ref()).isEqualTo("refs/tags/v1.10.0");
    assertThat(result.snapshotRoot().resolve("a.txt")).hasContent("1.10.0");
  }

  @Test
  void noMatchingTagNamesTheNewestTag() {
    origin.write("a.txt", "1").commit("c");
    origin.git("tag", "v1.4.0");
    origin.git("tag", "v1.3.9");

    assertThatThrownBy(() -> fetcher.fetch("k", GitSource.of(origin.url()).withRef(new GitRef.SemVer(">=2.0.0"))))
        .isInstanceOf(SourceException.class)
        .hasMessageStartingWith("no tag matches semver range '>=2.0.0'")
        .hasMessageEndingWith("newest tag is v1.4.0");
  }

  @Test
  void fetchesAPinnedCommitBehindTheTip() throws Exception {
    String pinned = origin.write("a.txt", "old").commit("old");
    origin.write("a.txt", "new").commit("new");

    FetchResult result = fetcher.fetch("k", GitSource.of(origin.url()).withRef(new GitRef.Commit(pinned)));

    assertThat(result.commitId()).isEqualTo(pinned);
    assertThat(result.ref()).isEqualTo(pinned);
    assertThat(result.snapshotRoot().resolve("a.txt")).hasContent("old");
  }

  @Test
  void unknownCommitSaysItIsNotReachable() {
    origin.write("a.txt", "x").commit("x");
    String missing = "0123456789abcdef0123456789abcdef01234567";

    assertThatThrownBy(() -> fetcher.fetch("k", GitSource.of(origin.url()).withRef(new GitRef.Commit(missing))))
        .hasMessageContaining("commit " + missing + " not found")
        .hasMessageContaining("not reachable from any branch or tag");
  }

  @Test
  void misspelledBranchNamesTheBranchesTheRemoteHas() {
    origin.write("a.txt", "x").commit("x");
    origin.git("branch", "release-1");

    assertThatThrownBy(() -> fetcher.fetch("k", GitSource.of(origin.url()).withRef(new GitRef.Branch("mian"))))
        .isInstanceOf(SourceException.class)
        .hasMessageStartingWith("branch 'mian' not found in file://")
        .hasMessageEndingWith("remote has branches main, release-1");
  }

  @Test
  void nextFetchSeesANewCommitAndKeepsOnlyTheTwoNewestSnapshots() throws Exception {
    GitSource source = GitSource.of(origin.url());
    String first = origin.write("a.txt", "1").commit("1");
    Path firstSnapshot = fetcher.fetch("k", source).snapshotRoot();
    assertThat(fetcher.fetch("k", source).snapshotRoot()).isEqualTo(firstSnapshot); // unchanged: reused

    String second = origin.write("a.txt", "2").commit("2");
    FetchResult secondResult = fetcher.fetch("k", source);
    assertThat(secondResult.commitId()).isEqualTo(second).isNotEqualTo(first);
    assertThat(secondResult.snapshotRoot().resolve("a.txt")).hasContent("2");
    assertThat(firstSnapshot).exists(); // the previous snapshot may still be read by a validation

    origin.write("a.txt", "3").commit("3");
    FetchResult third = fetcher.fetch("k", source);
    assertThat(firstSnapshot).doesNotExist();
    try (Stream<Path> snapshots = Files.list(third.snapshotRoot().getParent())) {
      assertThat(snapshots).containsExactlyInAnyOrder(secondResult.snapshotRoot(), third.snapshotRoot());
    }
  }

  @Test
  void writesSymlinksAsLinksWithTheirLiteralTargetAndNeverThroughThem() throws Exception {
    Path outside = temp.resolve("outside");
    Files.createDirectories(outside);
    origin.write("policies/trustpolicy.json", "{}")
        .symlink("policies/escape.json", "../../../../../../etc/passwd")
        .symlink("policies/absolute", outside.toString());
    origin.commit("links");

    Path root = fetcher.fetch("k", GitSource.of(origin.url())).snapshotRoot();

    Path escape = root.resolve("policies/escape.json");
    assertThat(Files.isSymbolicLink(escape)).isTrue();
    assertThat(Files.readSymbolicLink(escape)).isEqualTo(Path.of("../../../../../../etc/passwd"));
    assertThat(Files.isSymbolicLink(root.resolve("policies/absolute"))).isTrue();
    try (Stream<Path> written = Files.list(outside)) {
      assertThat(written).isEmpty();
    }
  }

  @Test
  void pathSelectsAFolderOfTheRepositoryAndOnlyThatFolderIsCheckedOut() throws Exception {
    origin.write("clusters/prod/trustpolicy.json", "{}").write("other.txt", "x").commit("c");

    FetchResult result = fetcher.fetch("k", GitSource.of(origin.url()).withPath("/clusters/prod/"));

    assertThat(result.snapshotRoot().resolve("trustpolicy.json")).exists();
    assertThat(result.snapshotRoot().resolve("other.txt")).doesNotExist();
    assertThat(result.snapshotRoot().getParent().resolve("other.txt")).doesNotExist();
  }

  @Test
  void pathThatIsASymlinkIsRefused() {
    origin.write("real/trustpolicy.json", "{}").symlink("linked", "real").commit("c");

    assertThatThrownBy(() -> fetcher.fetch("k", GitSource.of(origin.url()).withPath("linked")))
        .hasMessageStartingWith("path 'linked' is not a folder in commit");
    assertThat(Files.exists(temp.resolve("cache"), LinkOption.NOFOLLOW_LINKS)).isTrue();
  }

  @Test
  void anUnansweringServerFailsWithinTheTimeout() throws IOException {
    // a listening socket that never answers: the kernel accepts the connection, nobody reads
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      GitFetcher impatient = new GitFetcher(temp.resolve("cache2"),
          SourceRules.DEFAULT.allowingPlainHttp().allowingLoopback().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
      long start = System.nanoTime();

      assertThatThrownBy(() -> impatient.fetch("k", GitSource.of("http://127.0.0.1:" + silent.getLocalPort() + "/repo.git")))
          .isInstanceOf(SourceException.class)
          .hasMessageStartingWith("fetching http://127.0.0.1:" + silent.getLocalPort() + "/repo.git took longer than its timeout of 2s");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
  }

  @Test
  void describesTheRefAsAPolicySourceSpecDoes() {
    assertThat(GitRef.of(null, null, null, null)).isEqualTo(new GitRef.Branch("main"));
    assertThat(GitRef.of("", "v1", null, "")).isEqualTo(new GitRef.Tag("v1"));
    assertThatThrownBy(() -> GitRef.of("main", "v1", null, null))
        .hasMessageStartingWith("set only one of branch, tag, semver and commit");
    assertThatThrownBy(() -> GitRef.of(null, null, "banana", null)).hasMessageContaining("banana");
  }

  @Test
  void folderNamesDifferForLookAlikeKeysAndCannotBeComputedWithoutTheSalt() {
    assertThat(fetcher.folderName("ns/name")).isNotEqualTo(fetcher.folderName("ns_name")).matches("[0-9a-f]{32}");
    assertThat(fetcher.folderName("../..")).matches("[0-9a-f]{32}");
    // the salt stays with the cache folder across restarts, and differs from one cache to another
    assertThat(new GitFetcher(temp.resolve("cache"), SourceRules.DEFAULT).folderName("ns/name")).isEqualTo(fetcher.folderName("ns/name"));
    assertThat(new GitFetcher(temp.resolve("other"), SourceRules.DEFAULT).folderName("ns/name")).isNotEqualTo(fetcher.folderName("ns/name"));
  }
}
