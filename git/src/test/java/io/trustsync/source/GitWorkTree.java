package io.trustsync.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A repository built with the real git command line, served to the fetcher over file://. */
final class GitWorkTree {

  private final Path dir;

  private GitWorkTree(Path dir) {
    this.dir = dir;
  }

  static GitWorkTree init(Path dir) {
    GitWorkTree tree = new GitWorkTree(dir);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    tree.git("init", "--quiet", "--initial-branch=main", dir.toString());
    return tree;
  }

  Path dir() {
    return dir;
  }

  String url() {
    return dir.toUri().toString().replaceFirst("^file:/+", "file:///");
  }

  GitWorkTree write(String path, String content) {
    try {
      Path file = dir.resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  GitWorkTree symlink(String path, String target) {
    try {
      Path link = dir.resolve(path);
      Files.createDirectories(link.getParent());
      Files.createSymbolicLink(link, Path.of(target));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Commits everything in the work tree and returns the commit id. */
  String commit(String message, String... extraOptions) {
    git("add", "--all");
    List<String> args = new ArrayList<>(List.of("commit", "--quiet", "--allow-empty", "-m", message));
    args.addAll(List.of(extraOptions));
    git(args.toArray(String[]::new));
    return head();
  }

  String head() {
    return git("rev-parse", "HEAD").strip();
  }

  byte[] rawCommit(String id) {
    return gitBytes(null, "cat-file", "commit", id);
  }

  /** Stores a hand-made commit object and points main at it, as a forged push would. */
  String storeCommit(byte[] raw) {
    String id = new String(gitBytes(raw, "hash-object", "-t", "commit", "-w", "--stdin"), StandardCharsets.UTF_8).strip();
    git("update-ref", "refs/heads/main", id);
    return id;
  }

  String git(String... args) {
    return new String(gitBytes(null, args), StandardCharsets.UTF_8);
  }

  /** Runs git with a fixed identity and no user or system config, so tests do not depend on the machine. */
  byte[] gitBytes(byte[] stdin, String... args) {
    List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE);
    Map<String, String> env = builder.environment();
    env.put("GIT_CONFIG_GLOBAL", "/dev/null");
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_AUTHOR_NAME", "Alice Author");
    env.put("GIT_AUTHOR_EMAIL", "alice@example.org");
    env.put("GIT_COMMITTER_NAME", "Alice Author");
    env.put("GIT_COMMITTER_EMAIL", "alice@example.org");
    try {
      Process process = builder.start();
      if (stdin != null) {
        process.getOutputStream().write(stdin);
      }
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + err);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
