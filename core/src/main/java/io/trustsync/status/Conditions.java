package io.trustsync.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * kstatus-style conditions. A condition whose status does not change keeps its
 * lastTransitionTime, so `kubectl wait` and alerting see real transitions only.
 */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  public static final String DRIFTED = "Drifted";
  /** True when the profile cannot express part of the policy (rendering warnings): what the consumer enforces differs from Git. */
  public static final String LOSSY = "Lossy";

  private final List<Condition> previous;
  private final List<Condition> next = new ArrayList<>();
  private final long generation;
  private final Instant now;

  public Conditions(List<Condition> previous, Long generation, Instant now) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation == null ? 0 : generation;
    this.now = now;
  }

  public Conditions set(String type, boolean status, String reason, String message) {
    String value = status ? "True" : "False";
    Condition old = previous.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String since = old != null && value.equals(old.getStatus()) && old.getLastTransitionTime() != null
        ? old.getLastTransitionTime()
        : now.truncatedTo(ChronoUnit.SECONDS).toString();
    next.add(new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message == null ? "" : message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build());
    return this;
  }

  public List<Condition> build() {
    return List.copyOf(next);
  }

  /** Equal ignoring nothing but order: used to skip status patches that change nothing. */
  public static boolean same(List<Condition> a, List<Condition> b) {
    return Objects.equals(a == null ? List.of() : a, b == null ? List.of() : b);
  }
}
