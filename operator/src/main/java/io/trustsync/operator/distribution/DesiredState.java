package io.trustsync.operator.distribution;

import io.trustsync.rendering.RenderedObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one member cluster should hold for one distribution: the rendered objects of an accepted
 * revision, where they go, and how drift is handled.
 */
public record DesiredState(
    String revision,
    Instant commitTime,
    String namespace,
    boolean installNativeCrds,
    List<RenderedObject> objects,
    boolean correctDrift,
    boolean prune,
    boolean suspend) {

  public DesiredState {
    objects = List.copyOf(objects);
  }

  /** Same objects, same content, same handling: applying it again would change nothing. */
  public boolean sameAs(DesiredState other) {
    if (other == null) {
      return false;
    }
    return Objects.equals(revision, other.revision)
        && Objects.equals(namespace, other.namespace)
        && correctDrift == other.correctDrift
        && prune == other.prune
        && suspend == other.suspend
        && objects.stream().map(o -> o.id() + o.contentHash()).toList()
            .equals(other.objects.stream().map(o -> o.id() + o.contentHash()).toList());
  }
}
