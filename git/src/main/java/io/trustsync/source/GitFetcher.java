package io.trustsync.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches sources into one cache folder: a bare clone per source, fetched incrementally, and a
 * snapshot folder per resolved commit. Fetches of different sources run in parallel; fetches of
 * one source key run one at a time. What a source may make it do (schemes, addresses, time,
 * bytes) is bounded by {@link SourceRules}.
 *
 * <p>A source's folder is named by an HMAC of its key under a random salt kept in the cache
 * folder, so nobody who cannot read the cache can compute another source's folder.
 */
public final class GitFetcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GitFetcher.class);

  private final Path cacheDir;
  private final SourceRules rules;
  private final byte[] salt;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  /** Folders of deleted sources: a fetch still queued for one must not bring its clone back. */
  private final java.util.Set<String> forgotten = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("git-fetch-deadlines").factory());

  public GitFetcher(Path cacheDir, SourceRules rules) {
    this.cacheDir = cacheDir.toAbsolutePath().normalize();
    this.rules = rules;
    this.salt = salt(this.cacheDir);
  }

  public SourceRules rules() {
    return rules;
  }

  /** A fetch with the default timeout and no baseline. */
  public FetchResult fetch(String sourceKey, GitSource source) throws SourceException {
    return fetch(sourceKey, source, rules.defaultTimeout(), null);
  }

  /**
   * Fetches and checks out the commit the source's ref names. {@code timeout} bounds the whole
   * fetch (clamped to the rules' maximum); {@code baseline}, when set, is the commit the result's
   * {@link FetchResult#ancestry()} is judged against.
   */
  public FetchResult fetch(String sourceKey, GitSource source, Duration timeout, String baseline) throws SourceException {
    Duration bounded = timeout.compareTo(rules.maxTimeout()) > 0 ? rules.maxTimeout() : timeout;
    long start = System.nanoTime();
    rules.checkScheme(source);
    String folderName = folderName(sourceKey);
    ReentrantLock lock = locks.computeIfAbsent(folderName, name -> new ReentrantLock());
    lock.lock();
    try {
      if (forgotten.contains(folderName)) {
        throw new SourceException("the source was deleted");
      }
      Duration left = bounded.minusNanos(System.nanoTime() - start);
      return fetchLocked(cacheDir.resolve(folderName), source, bounded, left.isNegative() ? Duration.ofMillis(1) : left, baseline);
    } finally {
      lock.unlock();
    }
  }

  /** Deletes everything cached for the source (its PolicySource was deleted). */
  public void forget(String sourceKey) throws IOException {
    String folderName = folderName(sourceKey);
    ReentrantLock lock = locks.computeIfAbsent(folderName, name -> new ReentrantLock());
    lock.lock();
    try {
      forgotten.add(folderName);
      Snapshots.deleteRecursively(cacheDir.resolve(folderName));
    } finally {
      lock.unlock();
    }
  }

  /** Where a source's clone lives; tests look at it to prove what was (not) written. */
  public Path folder(String sourceKey) {
    return cacheDir.resolve(folderName(sourceKey));
  }

  private FetchResult fetchLocked(Path folder, GitSource source, Duration timeout, Duration left, String baseline) throws SourceException {
    CommitSignatureVerifier verifier;
    try {
      verifier = CommitSignatureVerifier.fromText(source.trustedKeys());
    } catch (IllegalArgumentException e) {
      throw new SourceException(e.getMessage(), e);
    }
    Path sshHome = folder.resolve("ssh");
    try (FetchBudget budget = new FetchBudget(timeout, left, rules.maxFetchBytes(), timer);
        Repository repository = openBareClone(folder.resolve("repo.git"));
        Git git = Git.wrap(repository)) {
      Files.createDirectories(sshHome);
      ObjectId wanted;
      String resolvedName;
      if (source.ref() instanceof GitRef.Commit commit && repository.getObjectDatabase().has(ObjectId.fromString(commit.sha()))) {
        // a pinned commit already here needs no network at all
        wanted = ObjectId.fromString(commit.sha());
        resolvedName = commit.sha();
      } else {
        if (!source.url().startsWith("file://")) {
          // a slow name server counts against the fetch's time
          rules.addresses().check(source.host(), budget.remaining());
        }
        try (RemoteAccess access = new RemoteAccess(source, sshHome, rules, budget)) {
          Map<String, Ref> remoteRefs = listRemote(git, source, access, budget);
          Resolved resolved = resolve(source, remoteRefs);
          wanted = resolved.objectId() == null ? ObjectId.fromString(resolved.name()) : resolved.objectId();
          resolvedName = resolved.name();
          if (!repository.getObjectDatabase().has(wanted)) {
            fetchObjects(git, source, access, budget, resolved.refSpecs());
            requireClonePlausible(folder.resolve("repo.git"), source);
          }
        }
      }
      if (!repository.getObjectDatabase().has(wanted)) {
        throw new SourceException("commit " + resolvedName + " not found in " + source.displayUrl()
            + "; it is not reachable from any branch or tag");
      }
      try (RevWalk walk = new RevWalk(repository)) {
        RevCommit commit = walk.parseCommit(wanted);
        requireFolder(repository, commit, source.path(), source);
        Snapshots snapshots = new Snapshots(folder.resolve("snapshots"));
        Path snapshot = snapshots.of(repository, commit, source.path(), rules.checkout());
        snapshots.prune(snapshot);
        return new FetchResult(
            commit.name(),
            resolvedName,
            commit.getCommitterIdent().getWhenAsInstant(),
            commit.getAuthorIdent().getName() + " <" + commit.getAuthorIdent().getEmailAddress() + ">",
            commit.getShortMessage(),
            snapshot,
            verifier.verify(commit),
            ancestry(repository, commit, baseline));
      }
    } catch (IOException | InvalidPathException e) {
      if (has(e, java.io.InterruptedIOException.class) || has(e, java.nio.channels.ClosedByInterruptException.class)) {
        // the deadline interrupted the fetch while it was writing
        throw timedOut(source, timeout, e);
      }
      throw new SourceException("cannot write the local copy of " + source.displayUrl() + " to the cache folder: "
          + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Each source's clone may hold at most the fetch limit on disk, so no source takes more than its
   * share of the cache volume; one that grew past it (many fetches of a growing repository, or
   * an SSH server, whose downloads are bounded in time only) is deleted and fetched afresh.
   */
  private void requireClonePlausible(Path gitDir, GitSource source) throws IOException, SourceException {
    long bytes;
    try (java.util.stream.Stream<Path> files = Files.walk(gitDir)) {
      bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    if (bytes > rules.maxFetchBytes()) {
      Snapshots.deleteRecursively(gitDir);
      throw new SourceException("the clone of " + source.displayUrl() + " holds " + bytes + " bytes, over the "
          + rules.maxFetchBytes() + "-byte limit of one source (--max-fetch-bytes); it was deleted. A policy repository"
          + " is far smaller: move other content out of it");
    }
  }

  /** Whether {@code commit} is {@code baseline} or has it in its history. */
  private static FetchResult.Ancestry ancestry(Repository repository, RevCommit commit, String baseline) throws IOException {
    if (baseline == null || baseline.isEmpty()) {
      return FetchResult.Ancestry.NO_BASELINE;
    }
    if (commit.name().equals(baseline)) {
      return FetchResult.Ancestry.SAME;
    }
    try (RevWalk walk = new RevWalk(repository)) {
      walk.setRetainBody(false);
      walk.markStart(walk.parseCommit(commit));
      for (RevCommit ancestor : walk) {
        if (ancestor.name().equals(baseline)) {
          return FetchResult.Ancestry.DESCENDANT;
        }
      }
    }
    return FetchResult.Ancestry.NOT_DESCENDANT;
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

  private Map<String, Ref> listRemote(Git git, GitSource source, RemoteAccess access, FetchBudget budget) throws SourceException {
    try {
      return git.lsRemote().setRemote(source.url()).setHeads(true).setTags(true)
          .setTimeout(budget.ioTimeoutSeconds()).setCredentialsProvider(access.credentials())
          .setTransportConfigCallback(access).callAsMap();
    } catch (GitAPIException | RuntimeException e) {
      throw explain(e, source, access, budget);
    }
  }

  private void fetchObjects(Git git, GitSource source, RemoteAccess access, FetchBudget budget, List<RefSpec> refSpecs)
      throws SourceException {
    try {
      git.fetch().setRemote(source.url()).setRefSpecs(refSpecs).setTagOpt(TagOpt.NO_TAGS)
          .setCheckFetchedObjects(true) // refuse malformed objects, e.g. trees with ".." entries
          .setTimeout(budget.ioTimeoutSeconds()).setCredentialsProvider(access.credentials())
          .setProgressMonitor(new Cancellable(budget))
          .setTransportConfigCallback(access).call();
    } catch (GitAPIException | RuntimeException e) {
      throw explain(e, source, access, budget);
    }
  }

  /** Lets JGit's pack parser stop between objects once the deadline has passed. */
  private static final class Cancellable extends org.eclipse.jgit.lib.EmptyProgressMonitor {
    private final FetchBudget budget;

    Cancellable(FetchBudget budget) {
      this.budget = budget;
    }

    @Override
    public boolean isCancelled() {
      return budget.expired() || budget.overBudget();
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

  private Repository openBareClone(Path gitDir) throws IOException {
    Repository repository = new ObjectSizeLimited(new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().setup(),
        rules.maxObjectBytes());
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

  /**
   * The bare clone, with every pack it receives limited in object size. JGit's pack parser reads
   * each object's size (for a delta, the size of its result) from its header and refuses one over
   * the limit before inflating it, so a pack of a few kilobytes cannot make the operator build
   * gigabytes in memory. JGit applies no such limit when fetching unless told.
   */
  private static final class ObjectSizeLimited extends org.eclipse.jgit.internal.storage.file.FileRepository {
    private final long maxObjectBytes;

    ObjectSizeLimited(FileRepositoryBuilder builder, long maxObjectBytes) throws IOException {
      super(builder);
      this.maxObjectBytes = maxObjectBytes;
    }

    @Override
    public org.eclipse.jgit.lib.ObjectInserter newObjectInserter() {
      org.eclipse.jgit.lib.ObjectInserter real = super.newObjectInserter();
      return new org.eclipse.jgit.lib.ObjectInserter.Filter() {
        @Override
        protected org.eclipse.jgit.lib.ObjectInserter delegate() {
          return real;
        }

        @Override
        public org.eclipse.jgit.transport.PackParser newPackParser(java.io.InputStream in) throws IOException {
          org.eclipse.jgit.transport.PackParser parser = real.newPackParser(in);
          parser.setMaxObjectSizeLimit(maxObjectBytes);
          return parser;
        }
      };
    }
  }

  /**
   * Turns JGit's exceptions into what a person can act on, without quoting anything the server
   * sent (an HTTP reason phrase or body would let a PolicySource read any URL the operator can
   * reach) and without telling a closed port from a server that is not Git. Only Git's own
   * protocol errors ("remote: ...") are quoted, sanitised.
   */
  private SourceException explain(Exception e, GitSource source, RemoteAccess access, FetchBudget budget) {
    String url = source.displayUrl();
    LOG.info("fetch of {} failed: {}", url, causes(e));
    if (budget.expired()) {
      return timedOut(source, budget.timeout(), e);
    }
    if (has(e, org.eclipse.jgit.errors.TooLargeObjectInPackException.class)) {
      return new SourceException("the server sent a Git object over the " + rules.maxObjectBytes() + "-byte object limit"
          + " (--max-object-bytes) for " + url + "; a policy repository holds no such file, so nothing was kept", e);
    }
    if (budget.overBudget()) {
      return new SourceException("the server sent more than " + budget.maxBytes() + " bytes for " + url
          + ", the fetch size limit (--max-fetch-bytes); a policy repository is far smaller", e);
    }
    String hostKey = access.hostKeyRejection();
    if (hostKey != null) {
      return new SourceException(hostKey, e);
    }
    String refused = ownRefusal(e);
    if (refused != null) {
      return new SourceException("fetching " + url + " refused: " + refused, e);
    }
    String messages = messages(e).toLowerCase();
    if (has(e, SSLException.class) || messages.contains("pkix") || messages.contains("certificate")) {
      return new SourceException("TLS certificate of " + url + " is not trusted"
          + (source.caPem() == null ? ": if the server uses a private CA, put its certificate in the credentials Secret as ca.crt"
              : ": it is not signed by the CA in ca.crt"), e);
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
    String remote = remoteError(e);
    if (remote != null) {
      return new SourceException("the Git server at " + url + " refused the fetch: " + remote, e);
    }
    return new SourceException(SourceException.UNREACHABLE.formatted(url), e);
  }

  private SourceException timedOut(GitSource source, Duration timeout, Exception cause) {
    return new SourceException("fetching " + source.displayUrl() + " took longer than its timeout of " + timeout.toSeconds()
        + "s (spec.timeout, at most " + rules.maxTimeout().toSeconds() + "s); check that the server is healthy", cause);
  }

  /** Why our own connection guard refused a connection (a redirect, an address), if it did. */
  private static String ownRefusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.startsWith("refused a redirect") || m.startsWith("host ") && m.contains("sources may not reach"))) {
        return m;
      }
    }
    return null;
  }

  /** A Git protocol error ("ERR ..." / "remote: ..."), the one text from the server worth showing. */
  private static String remoteError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.eclipse.jgit.errors.RemoteRepositoryException) {
        // JGit writes "<uri>: <text>", and the uri keeps its user name (often a token) and query
        String m = String.valueOf(t.getMessage());
        int remote = m.indexOf("remote: ");
        int separator = m.lastIndexOf(": ");
        String text = remote >= 0 ? m.substring(remote + 8) : separator >= 0 ? m.substring(separator + 2) : "";
        text = text.replaceAll("[A-Za-z][A-Za-z0-9+.-]*://\\S*", "<url>");
        text = text.replaceAll("[^\\x20-\\x7e]", " ").strip();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
      }
    }
    return null;
  }

  /** Exception class names only: what went wrong locally, for the operator's log. */
  private static String causes(Throwable e) {
    StringBuilder chain = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      chain.append(chain.isEmpty() ? "" : " <- ").append(t.getClass().getSimpleName());
    }
    return chain.toString();
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

  /** At most ten names, each printable and short: they are the remote's words. */
  private static String shortList(List<String> names) {
    List<String> shown = names.stream().limit(10)
        .map(n -> n.replaceAll("[^\\x21-\\x7e]", "?")).map(n -> n.length() > 80 ? n.substring(0, 80) + "..." : n).toList();
    return names.size() <= 10 ? String.join(", ", shown) : String.join(", ", shown) + " and " + (names.size() - 10) + " more";
  }

  /** A folder name nobody can compute without the salt: HMAC-SHA256(salt, key), 32 hex digits. */
  String folderName(String sourceKey) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(sourceKey.getBytes(StandardCharsets.UTF_8)), 0, 16);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cache folder's salt, made once (readable by the operator alone) and kept across restarts. */
  private static byte[] salt(Path cacheDir) {
    Path file = cacheDir.resolve(".salt");
    try {
      Files.createDirectories(cacheDir);
      if (Files.exists(file)) {
        byte[] existing = Files.readAllBytes(file);
        if (existing.length == 32) {
          return existing;
        }
      }
      byte[] fresh = new byte[32];
      new java.security.SecureRandom().nextBytes(fresh);
      Path partial = cacheDir.resolve(".salt.partial");
      Files.deleteIfExists(partial);
      try {
        Files.createFile(partial, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(partial);
      }
      Files.write(partial, fresh);
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return fresh;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot create the cache folder " + cacheDir, e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
