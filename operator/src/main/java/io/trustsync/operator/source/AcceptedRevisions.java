package io.trustsync.operator.source;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The last accepted revision of every PolicySource ("namespace/name"). Only accepted revisions
 * ever get here, so whatever distributions read from it has passed the gate.
 */
public final class AcceptedRevisions {
  private final Map<String, AcceptedRevision> bySource = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  public Optional<AcceptedRevision> get(String source) {
    return Optional.ofNullable(bySource.get(source));
  }

  public void accept(AcceptedRevision revision) {
    AcceptedRevision previous = bySource.put(revision.source(), revision);
    if (previous == null || !previous.revision().equals(revision.revision())) {
      listeners.forEach(l -> l.accept(revision.source()));
    }
  }

  public void forget(String source) {
    if (bySource.remove(source) != null) {
      listeners.forEach(l -> l.accept(source));
    }
  }

  /** Called with the source key whenever its accepted revision changes. */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }
}
