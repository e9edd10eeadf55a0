package io.trustsync.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A hub and N member control planes, started in parallel, each with its own etcd, kube-apiserver,
 * certificates and data. Members are named {@code member-0}, {@code member-1}, ...
 *
 * <pre>{@code
 * try (LocalFleet fleet = LocalFleet.start(2)) {
 *   fleet.hub().client().namespaces().list();
 *   String kubeconfig = fleet.member(0).kubeconfig();
 *   fleet.member(1).stop();   // outage
 *   fleet.member(1).start();  // back, same data
 * }
 * }</pre>
 */
public final class LocalFleet implements AutoCloseable {

  private final LocalControlPlane hub;
  private final List<LocalControlPlane> members;
  private final Duration startupTime;

  private LocalFleet(LocalControlPlane hub, List<LocalControlPlane> members, Duration startupTime) {
    this.hub = hub;
    this.members = List.copyOf(members);
    this.startupTime = startupTime;
  }

  public static LocalFleet start(int memberCount) {
    return start(memberCount, KubeBinaries.fromEnvironment());
  }

  public static LocalFleet start(int memberCount, KubeBinaries binaries) {
    long began = System.nanoTime();
    List<LocalControlPlane> planes = new ArrayList<>();
    planes.add(LocalControlPlane.create("hub", binaries, LocalControlPlane.temporaryFolder("hub")));
    IntStream.range(0, memberCount).forEach(i -> planes.add(
        LocalControlPlane.create("member-" + i, binaries, LocalControlPlane.temporaryFolder("member-" + i))));
    try {
      inParallel(planes, LocalControlPlane::start);
    } catch (RuntimeException e) {
      inParallel(planes, LocalControlPlane::close);
      throw e;
    }
    return new LocalFleet(planes.getFirst(), planes.subList(1, planes.size()), Duration.ofNanos(System.nanoTime() - began));
  }

  public LocalControlPlane hub() {
    return hub;
  }

  public LocalControlPlane member(int index) {
    return members.get(index);
  }

  public List<LocalControlPlane> members() {
    return members;
  }

  /** The hub first, then the members. */
  public List<LocalControlPlane> all() {
    return Stream.concat(Stream.of(hub), members.stream()).toList();
  }

  /** How long {@link #start} took, from first key generated to the last {@code /readyz}. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Installs the CRDs of a file or folder on every control plane. */
  public void installCrds(Path fileOrFolder) {
    inParallel(all(), plane -> plane.installCrds(fileOrFolder));
  }

  @Override
  public void close() {
    inParallel(all(), LocalControlPlane::close);
  }

  private static void inParallel(List<LocalControlPlane> planes, java.util.function.Consumer<LocalControlPlane> action) {
    // Platform threads: each start blocks polling a process, and there are only a handful.
    List<CompletableFuture<Void>> running = planes.stream()
        .map(plane -> CompletableFuture.runAsync(() -> action.accept(plane), command -> new Thread(command).start()))
        .toList();
    try {
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }
}
