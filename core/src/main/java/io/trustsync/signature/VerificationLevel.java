package io.trustsync.signature;

import io.trustsync.trustpolicy.TrustPolicyStatement;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A statement's level with its overrides applied: the action for each check, as notation-go
 * v1.3 computes it (verifier/trustpolicy/trustpolicy.go {@code GetVerificationLevel}). The name is
 * the level's, or "custom" when an override changed it, as notation names it.
 */
public record VerificationLevel(String name, Map<Check, Action> actions) {
  public VerificationLevel {
    actions = Collections.unmodifiableMap(new EnumMap<>(actions));
  }

  public static final VerificationLevel STRICT = of("strict", Action.ENFORCE, Action.ENFORCE, Action.ENFORCE, Action.ENFORCE, Action.ENFORCE);
  public static final VerificationLevel PERMISSIVE = of("permissive", Action.ENFORCE, Action.ENFORCE, Action.LOG, Action.LOG, Action.LOG);
  public static final VerificationLevel AUDIT = of("audit", Action.ENFORCE, Action.LOG, Action.LOG, Action.LOG, Action.LOG);
  public static final VerificationLevel SKIP = of("skip", Action.SKIP, Action.SKIP, Action.SKIP, Action.SKIP, Action.SKIP);

  /** What {@link #of(TrustPolicyStatement)} found: a level, or why notation refuses the statement. */
  public sealed interface Result permits Resolved, Refused {}

  public record Resolved(VerificationLevel level) implements Result {}

  public record Refused(String reason) implements Result {}

  public Action action(Check check) {
    return actions.get(check);
  }

  public boolean skip() {
    return name.equals("skip");
  }

  /**
   * The statement's level. notation refuses a missing or unknown level, any override of a "skip"
   * level, an unknown check or action, an override of integrity, and skipping any check but
   * revocation (these make the whole trust policy invalid, so notation verifies nothing).
   */
  public static Result of(TrustPolicyStatement statement) {
    String spelled = statement.level();
    if (spelled.isEmpty()) {
      return new Refused("statement \"" + statement.name() + "\" has no signatureVerification.level; set strict, permissive, audit or skip");
    }
    VerificationLevel base = switch (spelled) {
      case "strict" -> STRICT;
      case "permissive" -> PERMISSIVE;
      case "audit" -> AUDIT;
      case "skip" -> SKIP;
      default -> null;
    };
    if (base == null) {
      return new Refused("statement \"" + statement.name() + "\" has the unknown level \"" + spelled + "\"; use strict, permissive, audit or skip");
    }
    if (statement.override().isEmpty()) {
      return new Resolved(base);
    }
    if (base == SKIP) {
      return new Refused("statement \"" + statement.name() + "\" overrides checks of level \"skip\", which notation refuses; remove the override");
    }
    Map<Check, Action> actions = new EnumMap<>(base.actions);
    for (Map.Entry<String, String> entry : statement.override().entrySet()) {
      Check check = null;
      for (Check candidate : Check.values()) {
        if (candidate.spelling().equals(entry.getKey())) {
          check = candidate;
        }
      }
      Action action = null;
      for (Action candidate : Action.values()) {
        if (candidate.spelling().equals(entry.getValue())) {
          action = candidate;
        }
      }
      if (check == null) {
        return new Refused("statement \"" + statement.name() + "\" overrides the unknown check \"" + entry.getKey()
            + "\"; use authenticity, authenticTimestamp, expiry or revocation");
      }
      if (action == null) {
        return new Refused("statement \"" + statement.name() + "\" overrides " + entry.getKey() + " with the unknown action \""
            + entry.getValue() + "\"; use enforce, log or skip");
      }
      if (check == Check.INTEGRITY) {
        return new Refused("statement \"" + statement.name() + "\" overrides integrity, which notation never allows; remove it");
      }
      if (check != Check.REVOCATION && action == Action.SKIP) {
        return new Refused("statement \"" + statement.name() + "\" skips " + entry.getKey() + "; only revocation can be skipped, use log");
      }
      actions.put(check, action);
    }
    return new Resolved(new VerificationLevel("custom", actions));
  }

  private static VerificationLevel of(String name, Action integrity, Action authenticity, Action timestamp, Action expiry, Action revocation) {
    Map<Check, Action> actions = new EnumMap<>(Check.class);
    actions.put(Check.INTEGRITY, integrity);
    actions.put(Check.AUTHENTICITY, authenticity);
    actions.put(Check.AUTHENTIC_TIMESTAMP, timestamp);
    actions.put(Check.EXPIRY, expiry);
    actions.put(Check.REVOCATION, revocation);
    return new VerificationLevel(name, actions);
  }
}
