package io.trustsync.operator.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The last accepted revision of every PolicySource ("namespace/name"), and the few accepted
 * before it (what the stages of a roll-out not yet reached keep running, and what a rollback or an
 * abort returns to). Only accepted revisions ever get here, so whatever distributions read from
 * it has passed the gate.
 */
public final class AcceptedRevisions {
  /** Revisions kept per source besides the current one. */
  public static final int KEPT_BEFORE = 3;

  private final Map<String, AcceptedRevision> bySource = new ConcurrentHashMap<>();
  /** Newest first. */
  private final Map<String, List<AcceptedRevision>> before = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  public Optional<AcceptedRevision> get(String source) {
    return Optional.ofNullable(bySource.get(source));
  }

  /** The source's current revision if it is {@code revision}, else one of those kept before it; empty otherwise. */
  public Optional<AcceptedRevision> get(String source, String revision) {
    AcceptedRevision current = bySource.get(source);
    if (current != null && current.revision().equals(revision)) {
      return Optional.of(current);
    }
    return before.getOrDefault(source, List.of()).stream().filter(r -> r.revision().equals(revision)).findFirst();
  }

  /** The revision accepted before the current one, while known. */
  public Optional<AcceptedRevision> previous(String source) {
    return before.getOrDefault(source, List.of()).stream().findFirst();
  }

  /** The revisions kept before the current one, newest first. */
  public List<AcceptedRevision> kept(String source) {
    return before.getOrDefault(source, List.of());
  }

  public void accept(AcceptedRevision revision) {
    AcceptedRevision previous = bySource.put(revision.source(), revision);
    if (previous != null && !previous.revision().equals(revision.revision())) {
      before.compute(revision.source(), (k, list) -> {
        List<AcceptedRevision> next = new ArrayList<>();
        next.add(previous);
        (list == null ? List.<AcceptedRevision>of() : list).stream()
            .filter(r -> !r.revision().equals(previous.revision()) && !r.revision().equals(revision.revision())).forEach(next::add);
        return List.copyOf(next.subList(0, Math.min(KEPT_BEFORE, next.size())));
      });
    }
    if (previous == null || !previous.revision().equals(revision.revision())) {
      listeners.forEach(l -> l.accept(revision.source()));
    }
  }

  /**
   * Brings back revisions accepted before the current one (after a restart, from the source's
   * status), newest first, where none are known yet.
   */
  public void restoreBefore(String source, List<AcceptedRevision> revisions) {
    AcceptedRevision current = bySource.get(source);
    if (current == null || revisions.isEmpty()) {
      return;
    }
    List<AcceptedRevision> kept = revisions.stream().filter(r -> !r.revision().equals(current.revision())).limit(KEPT_BEFORE).toList();
    if (!kept.isEmpty() && before.putIfAbsent(source, kept) == null) {
      listeners.forEach(l -> l.accept(source));
    }
  }

  public void forget(String source) {
    before.remove(source);
    if (bySource.remove(source) != null) {
      listeners.forEach(l -> l.accept(source));
    }
  }

  /** Called with the source key whenever its accepted revision changes. */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }
}
