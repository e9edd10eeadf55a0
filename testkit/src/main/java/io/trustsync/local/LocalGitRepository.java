package io.trustsync.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A bare repository served by a {@link LocalGitServer}. It is open to anyone until a credential
 * is allowed; then every request must present one of the allowed credentials.
 */
public final class LocalGitRepository {

  public static final String BRANCH = "main";

  private final String name;
  private final Path directory;
  private final LocalGitServer server;
  private final Map<String, String> passwords = new ConcurrentHashMap<>();
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final Set<String> sshKeys = ConcurrentHashMap.newKeySet();

  LocalGitRepository(String name, Path directory, LocalGitServer server) {
    this.name = name;
    this.directory = directory;
    this.server = server;
  }

  public String name() {
    return name;
  }

  public Path directory() {
    return directory;
  }

  public URI httpUrl() {
    return URI.create("http://127.0.0.1:" + server.httpPort() + "/" + name + ".git");
  }

  public URI httpsUrl() {
    return URI.create("https://127.0.0.1:" + server.httpsPort() + "/" + name + ".git");
  }

  public URI sshUrl() {
    return URI.create("ssh://git@127.0.0.1:" + server.sshPort() + "/" + name + ".git");
  }

  public LocalGitRepository allowPassword(String user, String password) {
    passwords.put(user, password);
    return this;
  }

  public LocalGitRepository allowToken(String token) {
    tokens.add(token);
    return this;
  }

  /** Lets an SSH client in with this key (under any user name, as forges do with {@code git@}). */
  public LocalGitRepository allowKey(PublicKey key) {
    sshKeys.add(keyId(key));
    return this;
  }

  boolean open() {
    return passwords.isEmpty() && tokens.isEmpty() && sshKeys.isEmpty();
  }

  boolean acceptsPassword(String user, String password) {
    String expected = passwords.get(user);
    return expected != null
        && java.security.MessageDigest.isEqual(expected.getBytes(), password.getBytes());
  }

  boolean acceptsToken(String token) {
    return tokens.contains(token);
  }

  boolean acceptsKey(PublicKey key) {
    return open() || sshKeys.contains(keyId(key));
  }

  // Compare encodings, not objects: the SSH server and the caller may use different providers.
  private static String keyId(PublicKey key) {
    return Arrays.toString(key.getEncoded());
  }

  /** Writes the commit on top of {@value #BRANCH} and returns its id. */
  public String commit(GitCommit commit) {
    return commit(commit, null, 0);
  }

  /**
   * Writes the commit with one more file of {@code bytes} zero bytes at {@code path}, streamed, so a
   * test can make a blob bomb (a file of gigabytes that compresses to a few megabytes) without
   * holding it in memory.
   */
  public String commitWithZeros(GitCommit commit, String path, long bytes) {
    return commit(commit, path, bytes);
  }

  /** Moves {@value #BRANCH} to an existing commit, as {@code git push --force} would: history rewritten. */
  public void forcePush(String commitId) {
    try (Repository repository = new FileRepositoryBuilder().setGitDir(directory.toFile()).build()) {
      RefUpdate update = repository.updateRef(Constants.R_HEADS + BRANCH);
      update.setNewObjectId(ObjectId.fromString(commitId));
      update.setForceUpdate(true);
      RefUpdate.Result result = update.update();
      if (result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NO_CHANGE && result != RefUpdate.Result.FAST_FORWARD) {
        throw new IllegalStateException("cannot force " + BRANCH + " of " + name + " to " + commitId + ": " + result);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String commit(GitCommit commit, String zerosPath, long zeros) {
    try (Repository repository = new FileRepositoryBuilder().setGitDir(directory.toFile()).build();
        ObjectInserter inserter = repository.newObjectInserter()) {
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      for (var file : commit.files().entrySet()) {
        DirCacheEntry entry = new DirCacheEntry(file.getKey());
        entry.setFileMode(FileMode.REGULAR_FILE);
        entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, file.getValue()));
        builder.add(entry);
      }
      if (zerosPath != null) {
        DirCacheEntry entry = new DirCacheEntry(zerosPath);
        entry.setFileMode(FileMode.REGULAR_FILE);
        entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, zeros, new java.io.InputStream() {
          private long left = zeros;

          @Override
          public int read() {
            return left-- > 0 ? 0 : -1;
          }

          @Override
          public int read(byte[] buffer, int offset, int length) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(length, left);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 0);
            left -= n;
            return n;
          }
        }));
        builder.add(entry);
      }
      builder.finish();

      PersonIdent person =
          new PersonIdent(commit.authorName(), commit.authorEmail(), commit.when(), TimeZone.getTimeZone("UTC").toZoneId());
      ObjectId parent = repository.resolve(Constants.R_HEADS + BRANCH);
      CommitBuilder builtCommit = new CommitBuilder();
      builtCommit.setTreeId(index.writeTree(inserter));
      if (parent != null) {
        builtCommit.setParentId(parent);
      }
      builtCommit.setAuthor(person);
      builtCommit.setCommitter(person);
      builtCommit.setMessage(commit.message().endsWith("\n") ? commit.message() : commit.message() + "\n");
      if (commit.signer() != null) {
        builtCommit.setGpgSignature(new GpgSignature(commit.signer().sign(builtCommit.build())));
      }
      ObjectId id = inserter.insert(builtCommit);
      inserter.flush();

      RefUpdate update = repository.updateRef(Constants.R_HEADS + BRANCH);
      update.setNewObjectId(id);
      update.setExpectedOldObjectId(parent == null ? ObjectId.zeroId() : parent);
      update.setRefLogMessage("commit: " + commit.message(), false);
      RefUpdate.Result result = update.update();
      if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FAST_FORWARD) {
        throw new IllegalStateException("cannot move " + BRANCH + " of " + name + ": " + result);
      }
      return id.name();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The commit {@value #BRANCH} points at, or null while the repository is empty. */
  public String head() {
    try (Repository repository = new FileRepositoryBuilder().setGitDir(directory.toFile()).build()) {
      ObjectId id = repository.resolve(Constants.R_HEADS + BRANCH);
      return id == null ? null : id.name();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
