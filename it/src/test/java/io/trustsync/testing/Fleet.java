package io.trustsync.testing;

import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real API servers for a test class: a hub and N members with the project's CRDs installed.
 *
 * <pre>{@code
 * @RegisterExtension static final Fleet fleet = Fleet.shared(2);
 *
 * @Test void something() {
 *   fleet.hub().client().configMaps()...;
 *   fleet.member(0).kubeconfig();
 * }
 * }</pre>
 *
 * {@link #shared} fleets are started once per JVM (per member count) and reused by every test
 * class; a test that stops a member must start it again before it returns (this extension
 * restarts it and fails the class otherwise). {@link #dedicated} fleets belong to one class.
 */
public final class Fleet implements BeforeAllCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Fleet.class);

  private final int memberCount;
  private final boolean shared;
  private LocalFleet fleet;

  private Fleet(int memberCount, boolean shared) {
    this.memberCount = memberCount;
    this.shared = shared;
  }

  /** A fleet shared with every other class that asks for the same number of members. */
  public static Fleet shared(int memberCount) {
    return new Fleet(memberCount, true);
  }

  /** A fleet of this class alone, stopped after it: for tests that break clusters. */
  public static Fleet dedicated(int memberCount) {
    return new Fleet(memberCount, false);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (shared) {
      // The root store lives for the whole run and closes the fleet (AutoCloseable) at its end.
      fleet = context.getRoot().getStore(NAMESPACE)
          .computeIfAbsent("members-" + memberCount, key -> startWithCrds(memberCount), LocalFleet.class);
    } else {
      fleet = startWithCrds(memberCount);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!shared) {
      fleet.close();
      return;
    }
    List<LocalControlPlane> stopped = fleet.all().stream().filter(plane -> !plane.running()).toList();
    stopped.forEach(LocalControlPlane::start);
    if (!stopped.isEmpty()) {
      throw new AssertionError(context.getDisplayName() + " left " + stopped.stream().map(LocalControlPlane::name).toList()
          + " of a shared fleet stopped; restart it in the test or use Fleet.dedicated");
    }
  }

  public LocalControlPlane hub() {
    return started().hub();
  }

  public LocalControlPlane member(int index) {
    return started().member(index);
  }

  public List<LocalControlPlane> members() {
    return started().members();
  }

  public LocalFleet local() {
    return started();
  }

  private LocalFleet started() {
    if (fleet == null) {
      throw new IllegalStateException("register Fleet as a static @RegisterExtension field");
    }
    return fleet;
  }

  private static LocalFleet startWithCrds(int memberCount) {
    LocalFleet fleet = LocalFleet.start(memberCount);
    System.out.printf("[fleet] hub + %d members ready in %d ms%n", memberCount, fleet.startupTime().toMillis());
    Path crds = ProjectFolder.root().resolve("crds");
    if (Files.isDirectory(crds)) {
      fleet.installCrds(crds);
    }
    return fleet;
  }
}
