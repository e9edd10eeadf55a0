package io.trustsync.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A built image archive (image/target/trustsync-image.tar), read and run with Debian's container
 * tools rather than our own code: skopeo copies the OCI archive into an OCI layout, umoci unpacks
 * it into a runtime bundle (root file system and the runtime configuration the image's config
 * yields), and bubblewrap runs the image's own entrypoint, user, environment and working directory
 * from that configuration, with the root file system read-only, a private /tmp, /proc and /dev, and
 * new user, PID and IPC namespaces (the host's network, so it reaches API servers on loopback).
 */
public final class ContainerImage {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where the build leaves the archive in a checkout. */
  public static Path archive(Path checkout) {
    return checkout.resolve("image/target/trustsync-image.tar");
  }

  private final Path rootfs;
  private final JsonNode process;
  private final List<String> files;

  private ContainerImage(Path bundle) throws IOException {
    this.rootfs = bundle.resolve("rootfs");
    this.process = JSON.readTree(bundle.resolve("config.json").toFile()).get("process");
    try (Stream<Path> all = Files.walk(rootfs)) {
      this.files = all.filter(p -> !p.equals(rootfs)).map(p -> rootfs.relativize(p).toString()).sorted().toList();
    }
  }

  /** Unpacks {@code archive} under {@code work}; fails with what to run when it was not built. */
  public static ContainerImage unpack(Path archive, Path work) throws IOException, InterruptedException {
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException(archive + " is missing: build it with ./mvnw package -pl image -am (scripts/test.sh does)");
    }
    Path layout = work.resolve("layout");
    run(List.of("skopeo", "copy", "-q", "oci-archive:" + archive, "oci:" + layout + ":trustsync"), work);
    Path bundle = work.resolve("bundle");
    run(List.of("umoci", "unpack", "--image", layout + ":trustsync", bundle.toString()), work);
    return new ContainerImage(bundle);
  }

  public Path rootfs() {
    return rootfs;
  }

  /**
   * Every path in the image as unpacked, relative to its root ("app/libs/x.jar"), before any run
   * (bubblewrap adds mount points such as proc and dev to the unpacked tree).
   */
  public List<String> files() {
    return files;
  }

  /** The image's entrypoint (without its default arguments). */
  public List<String> entrypoint() {
    List<String> args = new ArrayList<>();
    process.get("args").forEach(a -> args.add(a.asText()));
    int defaults = args.indexOf("--help");
    return defaults < 0 ? args : args.subList(0, defaults);
  }

  public int uid() {
    return process.at("/user/uid").asInt();
  }

  public int gid() {
    return process.at("/user/gid").asInt();
  }

  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    process.get("env").forEach(e -> {
      String entry = e.asText();
      env.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
    });
    return env;
  }

  /** A read-only or writable host folder inside the container. */
  public record Mount(Path host, String container, boolean writable) {}

  /** The bubblewrap command that runs the entrypoint with {@code args}. */
  public List<String> command(List<String> args, Map<String, String> extraEnvironment, List<Mount> mounts) {
    return command(args, extraEnvironment, mounts, process.get("cwd").asText());
  }

  /** As {@link #command(List, Map, List)}, in another working directory (docker run -w). */
  public List<String> command(List<String> args, Map<String, String> extraEnvironment, List<Mount> mounts, String workingDirectory) {
    List<String> command = new ArrayList<>(List.of("bwrap", "--bind", rootfs.toString(), "/",
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
    for (Mount mount : mounts) {
      command.addAll(List.of(mount.writable() ? "--bind" : "--ro-bind", mount.host().toString(), mount.container()));
    }
    command.addAll(List.of("--remount-ro", "/",
        "--unshare-user", "--uid", Integer.toString(uid()), "--gid", Integer.toString(gid()),
        "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--clearenv",
        "--chdir", workingDirectory));
    Map<String, String> env = new LinkedHashMap<>(environment());
    env.putAll(extraEnvironment);
    env.forEach((name, value) -> command.addAll(List.of("--setenv", name, value)));
    command.addAll(entrypoint());
    command.addAll(args);
    return command;
  }

  /** Runs the entrypoint with {@code args} to completion; the exit code and everything it printed. */
  public Result run(List<String> args, List<Mount> mounts) throws IOException, InterruptedException {
    return run(args, mounts, process.get("cwd").asText());
  }

  /** As {@link #run(List, List)}, in another working directory. */
  public Result run(List<String> args, List<Mount> mounts, String workingDirectory) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command(args, Map.of(), mounts, workingDirectory)).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("the container did not exit: " + args);
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  public record Result(int exitCode, String output) {}

  private static void run(List<String> command, Path work) throws IOException, InterruptedException {
    Files.createDirectories(work);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
