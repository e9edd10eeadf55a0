package io.trustsync.source;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import io.trustsync.findings.Finding;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The checked-out trees of one source, one folder per commit. Files are written without ever
 * following a symlink, and a symlink in the tree is written as a symlink with its literal target,
 * so the validator sees and reports it; nothing here reads through it.
 */
final class Snapshots {

  private static final int KEEP = 2;
  private static final String PARTIAL = ".partial-";

  private final Path folder;

  Snapshots(Path folder) {
    this.folder = folder;
  }

  /**
   * The snapshot of the commit's tree at {@code path} (the whole tree when empty), written now
   * unless it exists already. Every limit is checked from the sizes Git records before anything
   * is written: a revision over a limit is rejected with a finding and leaves nothing behind.
   */
  Path of(Repository repository, RevCommit commit, String path, CheckoutLimits limits) throws IOException, SourceException {
    Files.createDirectories(folder);
    String name = path.isEmpty() ? commit.name() : commit.name() + "-" + Integer.toHexString(path.hashCode());
    Path snapshot = folder.resolve(name);
    if (!Files.isDirectory(snapshot, LinkOption.NOFOLLOW_LINKS)) {
      ObjectId tree = subtree(repository, commit, path);
      checkLimits(repository, commit, tree, path, limits);
      // write beside it and rename, so a crash never leaves a half-written snapshot in use
      Path partial = folder.resolve(PARTIAL + name);
      deleteRecursively(partial);
      Files.createDirectory(partial);
      write(repository, tree, partial);
      Files.move(partial, snapshot, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.setLastModifiedTime(snapshot, FileTime.from(Instant.now()));
    return snapshot;
  }

  private static ObjectId subtree(Repository repository, RevCommit commit, String path) throws IOException {
    if (path.isEmpty()) {
      return commit.getTree();
    }
    try (TreeWalk walk = TreeWalk.forPath(repository, path, commit.getTree())) {
      return walk.getObjectId(0); // the caller checked that it is a tree
    }
  }

  /** Counts files and sums their sizes as Git records them, without reading a blob. */
  private static void checkLimits(Repository repository, RevCommit commit, ObjectId tree, String path, CheckoutLimits limits)
      throws IOException, SourceException {
    String prefix = path.isEmpty() ? "" : path + "/";
    long total = 0;
    int files = 0;
    try (ObjectReader reader = repository.newObjectReader(); TreeWalk walk = new TreeWalk(repository, reader)) {
      walk.addTree(tree);
      walk.setRecursive(true);
      while (walk.next()) {
        if (walk.getFileMode(0) == FileMode.GITLINK) {
          continue;
        }
        String file = walk.getPathString();
        long size = reader.getObjectSize(walk.getObjectId(0), Constants.OBJ_BLOB);
        if (++files > limits.maxFiles()) {
          throw new SourceException(commit.name(), Finding.error("repo.checkoutLimit", prefix + file,
              "the revision holds more than " + limits.maxFiles() + " files; a policy repository needs far fewer."
                  + " Move other content out of it, or point spec.path at the folder that holds environments/"));
        }
        if (size > limits.maxFileBytes()) {
          throw new SourceException(commit.name(), Finding.error("repo.checkoutLimit", prefix + file,
              "file is " + size + " bytes, over the " + limits.maxFileBytes() + "-byte checkout limit; nothing of it was"
                  + " written. Trust policies and certificates are far smaller: remove the file or move it out of spec.path"));
        }
        total += size;
        if (total > limits.maxTotalBytes()) {
          throw new SourceException(commit.name(), Finding.error("repo.checkoutLimit", prefix + file,
              "the revision's files add up to more than " + limits.maxTotalBytes() + " bytes, the checkout limit;"
                  + " nothing was written. Remove large files or point spec.path at the policy folder"));
        }
      }
    }
  }

  /** Deletes all snapshots but {@code current} and the next most recently used one. */
  void prune(Path current) throws IOException {
    List<Path> others;
    try (Stream<Path> entries = Files.list(folder)) {
      others = entries.filter(p -> !p.equals(current)).sorted(Comparator.comparing(Snapshots::lastUsed).reversed()).toList();
    }
    int kept = 1;
    for (Path other : others) {
      boolean partial = other.getFileName().toString().startsWith(PARTIAL);
      if (partial || kept >= KEEP) {
        deleteRecursively(other);
      } else {
        kept++;
      }
    }
  }

  private static void write(Repository repository, ObjectId tree, Path root) throws IOException {
    try (ObjectReader reader = repository.newObjectReader(); TreeWalk walk = new TreeWalk(repository, reader)) {
      walk.addTree(tree);
      walk.setRecursive(true);
      while (walk.next()) {
        String path = walk.getPathString();
        Path target = safePath(root, path);
        FileMode mode = walk.getFileMode(0);
        if (mode == FileMode.GITLINK) {
          continue; // a submodule's content is not part of this repository
        }
        createParents(root, target);
        if (mode == FileMode.SYMLINK) {
          byte[] linkTarget = reader.open(walk.getObjectId(0)).getCachedBytes(4096);
          Files.createSymbolicLink(target, Path.of(new String(linkTarget, StandardCharsets.UTF_8)));
        } else {
          try (OutputStream out = Files.newOutputStream(target,
              StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            reader.open(walk.getObjectId(0)).copyTo(out);
          }
        }
      }
    }
  }

  /** Refuses names git itself refuses to check out, in case a crafted tree got this far. */
  private static Path safePath(Path root, String path) throws IOException {
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".") || part.equals("..") || part.toLowerCase(Locale.ROOT).equals(".git")
          || part.indexOf('\\') >= 0 || part.indexOf('\0') >= 0) {
        throw new IOException("the tree holds an unsafe path '" + path + "'");
      }
    }
    Path target = root.resolve(path).normalize();
    if (!target.startsWith(root)) {
      throw new IOException("the tree holds an unsafe path '" + path + "'");
    }
    return target;
  }

  /** Creates each missing folder, refusing to pass through anything that is not a real folder. */
  private static void createParents(Path root, Path target) throws IOException {
    Path current = root;
    for (Path part : root.relativize(target.getParent() == null ? root : target.getParent())) {
      if (part.toString().isEmpty()) {
        continue;
      }
      current = current.resolve(part);
      if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(current); // fails on a symlink or file of that name
      }
    }
  }

  private static FileTime lastUsed(Path path) {
    try {
      return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    // walkFileTree does not follow symlinks: a link is deleted, never what it points at
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
