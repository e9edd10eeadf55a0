package io.trustsync.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * Runs {@code git-upload-pack '<repo>'} or {@code git-receive-pack '<repo>'} for an SSH client
 * as the real git program, wiring the channel to its standard streams.
 */
final class GitSshCommand implements Command {

  /** The key the session authenticated with, checked against the repository on each command. */
  static final AttributeKey<java.security.PublicKey> AUTHENTICATED_KEY = new AttributeKey<>();

  private static final List<String> SERVICES = List.of("git-upload-pack", "git-receive-pack");

  private final Path root;
  private final String commandLine;
  private final Function<String, LocalGitRepository> repositories;
  private InputStream in;
  private OutputStream out;
  private OutputStream err;
  private ExitCallback exit;
  private Process process;

  GitSshCommand(Path root, String commandLine, Function<String, LocalGitRepository> repositories) {
    this.root = root;
    this.commandLine = commandLine;
    this.repositories = repositories;
  }

  @Override
  public void start(ChannelSession channel, Environment environment) throws IOException {
    String[] parts = commandLine.trim().split("\\s+", 2);
    if (parts.length != 2 || !SERVICES.contains(parts[0])) {
      refuse("unsupported command: " + commandLine);
      return;
    }
    String requested = parts[1].replaceAll("^['\"]|['\"]$", "").replaceFirst("^/", "");
    Path directory = root.resolve(requested).normalize();
    LocalGitRepository repository =
        repositories.apply(directory.getFileName().toString().replaceFirst("\\.git$", ""));
    // The path must name a repository directly under the root: no "..", no other folders.
    if (!directory.getParent().equals(root) || repository == null || !repository.directory().equals(directory)) {
      refuse("no such repository: " + requested);
      return;
    }
    if (!repository.acceptsKey(channel.getSession().getAttribute(AUTHENTICATED_KEY))) {
      refuse("access denied to " + requested);
      return;
    }
    ProcessBuilder git = new ProcessBuilder(parts[0], directory.toString());
    git.environment().put("HOME", root.toString());
    git.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    process = git.start();
    Thread.ofVirtual().start(() -> pump(in, process.getOutputStream(), true));
    Thread errors = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), err, false));
    Thread.ofVirtual().start(() -> {
      pump(process.getInputStream(), out, false);
      try {
        errors.join();
        exit.onExit(process.waitFor());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  private void refuse(String message) throws IOException {
    err.write(("fatal: " + message + "\n").getBytes());
    err.flush();
    exit.onExit(128, message);
  }

  /** Copies until end of stream, flushing each chunk so the protocol's turns are not delayed. */
  private static void pump(InputStream from, OutputStream to, boolean closeTarget) {
    byte[] buffer = new byte[8192];
    try {
      for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
        to.write(buffer, 0, n);
        to.flush();
      }
    } catch (IOException ignored) {
      // the other side went away; the exit status reports the outcome
    } finally {
      if (closeTarget) {
        try {
          to.close();
        } catch (IOException ignored) {
          // already closed
        }
      }
    }
  }

  @Override
  public void destroy(ChannelSession channel) {
    if (process != null) {
      process.destroy();
    }
  }

  @Override
  public void setInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void setErrorStream(OutputStream err) {
    this.err = err;
  }

  @Override
  public void setExitCallback(ExitCallback callback) {
    this.exit = callback;
  }
}
