package io.trustsync.source;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLException;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Fetches sources into one cache folder: a bare clone per source, fetched incrementally, and a
 * snapshot folder per resolved commit. Fetches of different sources run in parallel; fetches of
 * one source key run one at a time.
 */
public final class GitFetcher {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final Path cacheDir;
  private final Duration timeout;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  public GitFetcher(Path cacheDir) {
    this(cacheDir, DEFAULT_TIMEOUT);
  }

  /** {@code timeout} bounds each network operation (connect and every read), not the whole fetch. */
  public GitFetcher(Path cacheDir, Duration timeout) {
    this.cacheDir = cacheDir.toAbsolutePath().normalize();
    this.timeout = timeout;
  }

  public FetchResult fetch(String sourceKey, GitSource source) throws SourceException {
    String folderName = folderName(sourceKey);
    ReentrantLock lock = locks.computeIfAbsent(folderName, name -> new ReentrantLock());
    lock.lock();
    try {
      return fetchLocked(cacheDir.resolve(folderName), source);
    } finally {
      lock.unlock();
    }
  }

  private FetchResult fetchLocked(Path folder, GitSource source) throws SourceException {
    CommitSignatureVerifier verifier;
    try {
      verifier = CommitSignatureVerifier.fromText(source.trustedKeys());
    } catch (IllegalArgumentException e) {
      throw new SourceException(e.getMessage(), e);
    }
    Path sshHome = folder.resolve("ssh");
    try (Repository repository = openBareClone(folder.resolve("repo.git"));
        Git git = Git.wrap(repository);
        RemoteAccess access = new RemoteAccess(source, sshHome)) {
      Files.createDirectories(sshHome);
      Map<String, Ref> remoteRefs = listRemote(git, source, access);
      Resolved resolved = resolve(source, remoteRefs);
      ObjectId wanted = resolved.objectId() == null ? ObjectId.fromString(resolved.name()) : resolved.objectId();
      if (!repository.getObjectDatabase().has(wanted)) {
        fetchObjects(git, source, access, resolved.refSpecs());
      }
      if (!repository.getObjectDatabase().has(wanted)) {
        throw new SourceException("commit " + resolved.name() + " not found in " + source.displayUrl()
            + "; it is not reachable from any branch or tag");
      }
      try (RevWalk walk = new RevWalk(repository)) {
        RevCommit commit = walk.parseCommit(wanted);
        requireFolder(repository, commit, source.path(), source);
        Snapshots snapshots = new Snapshots(folder.resolve("snapshots"));
        Path snapshot = snapshots.of(repository, commit);
        snapshots.prune(snapshot);
        return new FetchResult(
            commit.name(),
            resolved.name(),
            commit.getCommitterIdent().getWhenAsInstant(),
            commit.getAuthorIdent().getName() + " <" + commit.getAuthorIdent().getEmailAddress() + ">",
            commit.getShortMessage(),
            source.path().isEmpty() ? snapshot : snapshot.resolve(source.path()),
            verifier.verify(commit));
      }
    } catch (IOException | InvalidPathException e) {
      throw new SourceException("cannot write the local copy of " + source.displayUrl() + " under " + folder
          + ": " + e.getMessage(), e);
    }
  }

  /** The resolved ref's full name (or the commit id) and the object it names, with what to fetch for it. */
  private record Resolved(String name, ObjectId objectId, List<RefSpec> refSpecs) {}

  private Resolved resolve(GitSource source, Map<String, Ref> remote) throws SourceException {
    return switch (source.ref()) {
      case GitRef.Branch branch -> exactRef(source, remote, Constants.R_HEADS + branch.name(), "branch");
      case GitRef.Tag tag -> exactRef(source, remote, Constants.R_TAGS + tag.name(), "tag");
      case GitRef.SemVer semver -> newestMatchingTag(source, remote, SemverRange.parse(semver.range()));
      // a pinned commit: fetch every branch and tag, since servers may refuse a bare commit id
      case GitRef.Commit commit -> new Resolved(commit.sha(), null, List.of(
          new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*")));
    };
  }

  private static Resolved exactRef(GitSource source, Map<String, Ref> remote, String name, String kind)
      throws SourceException {
    Ref ref = remote.get(name);
    if (ref == null) {
      String prefix = kind.equals("branch") ? Constants.R_HEADS : Constants.R_TAGS;
      List<String> names = remote.keySet().stream().filter(n -> n.startsWith(prefix))
          .map(n -> n.substring(prefix.length())).sorted().toList();
      throw new SourceException(kind + " '" + name.substring(prefix.length()) + "' not found in "
          + source.displayUrl() + "; " + (names.isEmpty() ? "remote has no " + kind + "es"
              : "remote has " + kind + "es " + shortList(names)));
    }
    return new Resolved(name, target(ref), List.of(new RefSpec("+" + name + ":" + name)));
  }

  private static Resolved newestMatchingTag(GitSource source, Map<String, Ref> remote, SemverRange range)
      throws SourceException {
    record Version(String tag, SemanticVersion version, Ref ref) {}
    List<Version> versions = remote.values().stream()
        .filter(ref -> ref.getName().startsWith(Constants.R_TAGS))
        .flatMap(ref -> {
          String tag = ref.getName().substring(Constants.R_TAGS.length());
          return SemanticVersion.fromTag(tag).map(v -> new Version(tag, v, ref)).stream();
        })
        .sorted(Comparator.comparing(Version::version).reversed())
        .toList();
    Optional<Version> match = versions.stream().filter(v -> range.matches(v.version())).findFirst();
    if (match.isEmpty()) {
      throw new SourceException("no tag matches semver range '" + range + "' in " + source.displayUrl() + "; "
          + (versions.isEmpty() ? "remote has no semver tags" : "newest tag is " + versions.getFirst().tag()));
    }
    String name = match.get().ref().getName();
    return new Resolved(name, target(match.get().ref()), List.of(new RefSpec("+" + name + ":" + name)));
  }

  /** An annotated tag names a tag object; the commit it points at is what was advertised peeled. */
  private static ObjectId target(Ref ref) {
    return ref.getPeeledObjectId() != null ? ref.getPeeledObjectId() : ref.getObjectId();
  }

  private Map<String, Ref> listRemote(Git git, GitSource source, RemoteAccess access) throws SourceException {
    try {
      return git.lsRemote().setRemote(source.url()).setHeads(true).setTags(true)
          .setTimeout(timeoutSeconds()).setCredentialsProvider(access.credentials())
          .setTransportConfigCallback(access).callAsMap();
    } catch (GitAPIException | RuntimeException e) {
      throw explain(e, source, access);
    }
  }

  private void fetchObjects(Git git, GitSource source, RemoteAccess access, List<RefSpec> refSpecs)
      throws SourceException {
    try {
      git.fetch().setRemote(source.url()).setRefSpecs(refSpecs).setTagOpt(TagOpt.NO_TAGS)
          .setCheckFetchedObjects(true) // refuse malformed objects, e.g. trees with ".." entries
          .setTimeout(timeoutSeconds()).setCredentialsProvider(access.credentials())
          .setTransportConfigCallback(access).call();
    } catch (GitAPIException | RuntimeException e) {
      throw explain(e, source, access);
    }
  }

  private static void requireFolder(Repository repository, RevCommit commit, String path, GitSource source)
      throws IOException, SourceException {
    if (path.isEmpty()) {
      return;
    }
    try (TreeWalk walk = TreeWalk.forPath(repository, path, commit.getTree())) {
      // a tree, not a symlink: the snapshot root must never resolve through a link
      if (walk == null || !walk.isSubtree()) {
        throw new SourceException("path '" + path + "' is not a folder in commit " + commit.name()
            + " of " + source.displayUrl());
      }
    }
  }

  private static Repository openBareClone(Path gitDir) throws IOException {
    Repository repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().build();
    if (!Files.exists(gitDir.resolve("config"))) {
      repository.create(true);
    }
    StoredConfig config = repository.getConfig();
    // the operator's user or system git config must not weaken TLS for sources
    config.setBoolean("http", null, "sslVerify", true);
    // JGit's automatic gc would otherwise run on a background thread after the fetch returns,
    // outside the per-source lock, racing the next fetch of the same source
    config.setBoolean("gc", null, "autoDetach", false);
    config.save();
    return repository;
  }

  /** Turns JGit's exceptions into what a person can act on. */
  private SourceException explain(Exception e, GitSource source, RemoteAccess access) {
    String url = source.displayUrl();
    String hostKey = access.hostKeyRejection();
    if (hostKey != null) {
      return new SourceException(hostKey, e);
    }
    String messages = messages(e).toLowerCase();
    if (has(e, SSLException.class) || messages.contains("pkix") || messages.contains("certificate")) {
      return new SourceException("TLS certificate of " + url + " is not trusted"
          + (source.caPem() == null ? ": if the server uses a private CA, set its CA certificate (caPem)"
              : ": it is not signed by the configured caPem CA"), e);
    }
    if (messages.contains("not authorized") || messages.contains("authentication is required")
        || messages.contains("auth fail") || messages.contains("no more authentication methods")
        || messages.contains("authentication failed")
        // authenticated, but this key or user may not read the repository (forges answer so)
        || messages.contains("access denied") || messages.contains("permission denied")) {
      return new SourceException("authentication failed for " + url + ": " + switch (source.auth()) {
        case GitAuth.None none -> "the repository needs credentials; reference a Secret with a username/password, token or SSH key";
        case GitAuth.Basic basic -> "check the username and password in the credentials Secret";
        case GitAuth.Bearer bearer -> "check the bearer token in the credentials Secret";
        case GitAuth.SshKey key -> "the server refused the SSH key; check it is a deploy key of this repository";
      }, e);
    }
    if (has(e, SocketTimeoutException.class) || messages.contains("timed out") || messages.contains("timeout")) {
      return new SourceException("no answer from " + url + " within " + timeout.toSeconds() + "s", e);
    }
    if (has(e, ConnectException.class) || has(e, UnknownHostException.class) || messages.contains("connection refused")) {
      return new SourceException("cannot connect to " + url + ": " + rootMessage(e), e);
    }
    if (messages.contains("not found") || messages.contains("does not appear to be a git repository")) {
      return new SourceException("repository not found at " + url + ": " + rootMessage(e), e);
    }
    return new SourceException("fetching " + url + " failed: " + rootMessage(e), e);
  }

  private int timeoutSeconds() {
    return (int) Math.max(1, timeout.toSeconds());
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) return true;
    }
    return false;
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  private static String shortList(List<String> names) {
    return names.size() <= 10 ? String.join(", ", names)
        : String.join(", ", names.subList(0, 10)) + " and " + (names.size() - 10) + " more";
  }

  /** A readable folder name that two different keys never share ("a/b" and "a_b" differ by the hash). */
  static String folderName(String sourceKey) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(sourceKey.getBytes(StandardCharsets.UTF_8));
      String readable = sourceKey.replaceAll("[^A-Za-z0-9._-]", "_");
      readable = readable.substring(0, Math.min(readable.length(), 64)).replaceAll("^\\.+", "_");
      return readable + "-" + HexFormat.of().formatHex(hash, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
