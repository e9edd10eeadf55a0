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
import org.eclipse.jgit.lib.FileMode;
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

  /** The snapshot of the commit's whole tree, written now unless it exists already. */
  Path of(Repository repository, RevCommit commit) throws IOException {
    Files.createDirectories(folder);
    Path snapshot = folder.resolve(commit.name());
    if (!Files.isDirectory(snapshot, LinkOption.NOFOLLOW_LINKS)) {
      // write beside it and rename, so a crash never leaves a half-written snapshot in use
      Path partial = folder.resolve(PARTIAL + commit.name());
      deleteRecursively(partial);
      Files.createDirectory(partial);
      write(repository, commit, partial);
      Files.move(partial, snapshot, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.setLastModifiedTime(snapshot, FileTime.from(Instant.now()));
    return snapshot;
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

  private static void write(Repository repository, RevCommit commit, Path root) throws IOException {
    try (ObjectReader reader = repository.newObjectReader(); TreeWalk walk = new TreeWalk(repository, reader)) {
      walk.addTree(commit.getTree());
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
