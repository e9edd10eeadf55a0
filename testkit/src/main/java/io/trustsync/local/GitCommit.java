package io.trustsync.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a commit holds: the complete tree (path to bytes; files not listed are absent from the
 * commit), who made it and when, and how it is signed ({@code signer} may be null: unsigned).
 */
public record GitCommit(
    SortedMap<String, byte[]> files,
    String message,
    String authorName,
    String authorEmail,
    Instant when,
    CommitSigner signer) {

  public GitCommit {
    files = new TreeMap<>(files);
  }

  /** An unsigned commit of these text files, by a fixed test author, now. */
  public static GitCommit of(Map<String, String> textFiles) {
    SortedMap<String, byte[]> files = new TreeMap<>();
    textFiles.forEach((path, text) -> files.put(path, text.getBytes(StandardCharsets.UTF_8)));
    return new GitCommit(files, "Update", "TrustSync Test", "test@trustsync.invalid", Instant.now(), null);
  }

  /** An unsigned commit of every file under {@code directory} (the {@code .git} folder excluded). */
  public static GitCommit fromDirectory(Path directory) {
    SortedMap<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        String path = directory.relativize(file).toString().replace('\\', '/');
        if (!path.equals(".git") && !path.startsWith(".git/")) {
          files.put(path, Files.readAllBytes(file));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new GitCommit(files, "Import " + directory.getFileName(), "TrustSync Test",
        "test@trustsync.invalid", Instant.now(), null);
  }

  public GitCommit withMessage(String newMessage) {
    return new GitCommit(files, newMessage, authorName, authorEmail, when, signer);
  }

  public GitCommit by(String name, String email, Instant at) {
    return new GitCommit(files, message, name, email, at, signer);
  }

  public GitCommit signedBy(CommitSigner newSigner) {
    return new GitCommit(files, message, authorName, authorEmail, when, newSigner);
  }
}
