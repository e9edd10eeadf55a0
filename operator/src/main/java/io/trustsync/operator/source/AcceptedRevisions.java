package io.trustsync.operator.source;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The last accepted revision of every PolicySource ("namespace/name"), and the one accepted
 * before it (what the stages of a roll-out not yet reached keep running). Only accepted
 * revisions ever get here, so whatever distributions read from it has passed the gate.
 */
public final class AcceptedRevisions {
  private final Map<String, AcceptedRevision> bySource = new ConcurrentHashMap<>();
  private final Map<String, AcceptedRevision> previousBySource = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  public Optional<AcceptedRevision> get(String source) {
    return Optional.ofNullable(bySource.get(source));
  }

  /** The source's current revision if it is {@code revision}, else the one before it if that is; empty otherwise. */
  public Optional<AcceptedRevision> get(String source, String revision) {
    AcceptedRevision current = bySource.get(source);
    if (current != null && current.revision().equals(revision)) {
      return Optional.of(current);
    }
    AcceptedRevision before = previousBySource.get(source);
    return before != null && before.revision().equals(revision) ? Optional.of(before) : Optional.empty();
  }

  /** The revision accepted before the current one, while this process has seen both. */
  public Optional<AcceptedRevision> previous(String source) {
    return Optional.ofNullable(previousBySource.get(source));
  }

  public void accept(AcceptedRevision revision) {
    AcceptedRevision previous = bySource.put(revision.source(), revision);
    if (previous != null && !previous.revision().equals(revision.revision())) {
      previousBySource.put(revision.source(), previous);
    }
    if (previous == null || !previous.revision().equals(revision.revision())) {
      listeners.forEach(l -> l.accept(revision.source()));
    }
  }

  /**
   * Brings back the revision accepted before the current one (after a restart, from the source's
   * status): only while none is known and it is not the current one.
   */
  public void restorePrevious(AcceptedRevision revision) {
    AcceptedRevision current = bySource.get(revision.source());
    if (current == null || current.revision().equals(revision.revision())) {
      return;
    }
    if (previousBySource.putIfAbsent(revision.source(), revision) == null) {
      listeners.forEach(l -> l.accept(revision.source()));
    }
  }

  public void forget(String source) {
    previousBySource.remove(source);
    if (bySource.remove(source) != null) {
      listeners.forEach(l -> l.accept(source));
    }
  }

  /** Called with the source key whenever its accepted revision changes. */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }
}
