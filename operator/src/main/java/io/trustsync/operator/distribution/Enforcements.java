package io.trustsync.operator.distribution;

import io.trustsync.crd.distribution.EnforcementSpec;
import io.trustsync.crd.distribution.RolloutSpec;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionSpec;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.crd.target.TrustDistributionTargetSpec.Enforcement;
import io.trustsync.crd.target.TrustDistributionTargetStatus.EnforcementStatus;
import io.trustsync.operator.member.MemberDirectory;
import io.trustsync.operator.shared.GoDuration;
import io.trustsync.rendering.GatekeeperConstraint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Warn, then deny: which enforcementAction each scope's Constraint has in each cluster. A scope
 * starts at warn where it first reaches a cluster, and flips to deny there once
 * <ol>
 *   <li>it has warned for warnFor (the scope's, else the cluster's stage's, else the distribution's),
 *   <li>Gatekeeper's audit has reported no violation for cleanFor, counting only audits made after
 *       the Constraint took its current action and match, and
 *   <li>the cluster is Synced (the trust configuration deny enforces is the one Git says).
 * </ol>
 * Deny then stays: the target's spec remembers it, so a restart or a later violation (which in
 * deny mode is a Pod refused, not a reason to stop refusing) changes nothing. A change of what
 * the scope matches starts it again at warn, so newly matched namespaces get their warning period.
 */
final class Enforcements {
  static final Duration DEFAULT_WARN = Duration.ofDays(14);
  static final Duration DEFAULT_CLEAN = Duration.ofHours(24);
  static final String PROGRESSIVE = "progressive";

  /** One cluster's Constraints, what they wait for, and the scopes that flip to deny now. */
  record ForCluster(List<Enforcement> desired, Map<String, String> waitingFor, List<String> flipped, Instant nextCheck) {}

  private Enforcements() {}

  /** The error in spec.enforcement, or null. */
  static String invalid(TrustDistributionSpec spec) {
    EnforcementSpec enforcement = spec.enforcement;
    if (enforcement == null) {
      return null;
    }
    if (!"ratify-v1".equals(spec.profile)) {
      return "spec.enforcement manages Gatekeeper's Constraint for Ratify v1; set spec.profile: ratify-v1, or remove spec.enforcement"
          + " (profile " + (spec.profile == null ? "native" : spec.profile) + " has no enforcement switch TrustSync manages)";
    }
    if (enforcement.scopes == null || enforcement.scopes.isEmpty()) {
      return "spec.enforcement.scopes is empty: name at least one scope, e.g. {name: all} for every namespace";
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < enforcement.scopes.size(); i++) {
      EnforcementSpec.Scope scope = enforcement.scopes.get(i);
      String at = "spec.enforcement.scopes[" + i + "]";
      if (scope.name == null || !scope.name.matches("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?")) {
        return at + ".name '" + scope.name + "' must be lowercase letters, digits and '-', at most 32";
      }
      if (!names.add(scope.name)) {
        return at + ".name '" + scope.name + "' is repeated; each scope is its own Constraint and needs its own name";
      }
      if (scope.action != null && !scope.action.equals(PROGRESSIVE) && !GatekeeperConstraint.ACTIONS.contains(scope.action)) {
        return at + ".action '" + scope.action + "' is not progressive, warn, deny or dryrun";
      }
      String bad = duration(at + ".warnFor", scope.warnFor);
      if (bad != null) {
        return bad;
      }
    }
    String bad = duration("spec.enforcement.warnFor", enforcement.warnFor);
    if (bad == null) {
      bad = duration("spec.enforcement.cleanFor", enforcement.cleanFor);
    }
    if (bad == null && spec.rollout != null && spec.rollout.stages != null) {
      for (RolloutSpec.Stage stage : spec.rollout.stages) {
        bad = bad != null ? bad : duration("spec.rollout.stages[" + stage.name + "].warnFor", stage.warnFor);
      }
    }
    return bad;
  }

  private static String duration(String field, String text) {
    try {
      GoDuration.parse(text, Duration.ZERO);
      return null;
    } catch (IllegalArgumentException e) {
      return field + ": " + e.getMessage();
    }
  }

  /** What {@code member}'s target must say, given what it says now. */
  static ForCluster forCluster(TrustDistribution distribution, MemberCluster member, TrustDistributionTarget current, String revision,
      Instant now) {
    TrustDistributionSpec spec = distribution.getSpec();
    EnforcementSpec enforcement = spec.enforcement;
    if (enforcement == null) {
      return new ForCluster(null, Map.of(), List.of(), null);
    }
    Duration cleanFor = GoDuration.parse(enforcement.cleanFor, DEFAULT_CLEAN);
    Duration stageWarn = stageWarnFor(spec, member);
    List<Enforcement> desired = new ArrayList<>();
    Map<String, String> waiting = new LinkedHashMap<>();
    List<String> flipped = new ArrayList<>();
    Instant next = null;
    String name = member.getMetadata().getName();
    for (EnforcementSpec.Scope scope : enforcement.scopes) {
      Enforcement e = new Enforcement();
      e.scope = scope.name;
      e.constraint = GatekeeperConstraint.name(distribution.getMetadata().getNamespace(), distribution.getMetadata().getName(), scope.name);
      e.namespaceSelector = scope.namespaceSelector;
      e.excludedNamespaces = scope.excludedNamespaces == null || scope.excludedNamespaces.isEmpty() ? null : List.copyOf(scope.excludedNamespaces);
      desired.add(e);
      if (scope.action != null && !scope.action.equals(PROGRESSIVE)) {
        e.action = scope.action;
        continue;
      }
      Enforcement before = current == null || current.getSpec().enforcement == null ? null
          : current.getSpec().enforcement.stream().filter(c -> scope.name.equals(c.scope)).findFirst().orElse(null);
      boolean sameMatch = before != null && Objects.equals(before.namespaceSelector, e.namespaceSelector)
          && Objects.equals(before.excludedNamespaces, e.excludedNamespaces) && Objects.equals(before.constraint, e.constraint);
      if (sameMatch && "deny".equals(before.action)) {
        e.action = "deny";
        continue;
      }
      e.action = "warn";
      // only a status about this very spec counts: the match it reports, the generation it observed, the revision it applied
      String match = io.trustsync.operator.target.EnforcementReports.matchDigest(e);
      EnforcementStatus live = current == null || current.getStatus() == null || current.getStatus().enforcement == null ? null
          : current.getStatus().enforcement.stream().filter(s -> scope.name.equals(s.scope) && "warn".equals(s.action)
              && sameMatch && Objects.equals(s.constraint, e.constraint) && match.equals(s.match)).findFirst().orElse(null);
      if (live == null || live.since == null || !current(current, revision)) {
        waiting.put(scope.name, name + ": warn not applied yet");
        continue;
      }
      Duration warnFor = scope.warnFor != null ? GoDuration.parse(scope.warnFor, DEFAULT_WARN)
          : stageWarn != null ? stageWarn : GoDuration.parse(enforcement.warnFor, DEFAULT_WARN);
      Instant warnedEnough = Instant.parse(live.since).plus(warnFor);
      Instant cleanEnough = live.cleanSince == null ? null : Instant.parse(live.cleanSince).plus(cleanFor);
      boolean synced = "Synced".equals(current.getStatus().state) && !Boolean.TRUE.equals(current.getSpec().suspend);
      if (now.isBefore(warnedEnough)) {
        waiting.put(scope.name, name + ": warns until " + warnedEnough);
        next = earliest(next, warnedEnough);
      } else if (live.auditTimestamp == null) {
        waiting.put(scope.name, name + ": no Gatekeeper audit since warn was set");
      } else if (cleanEnough == null) {
        waiting.put(scope.name, name + ": " + live.totalViolations + " violation(s) in the audit of " + live.auditTimestamp);
      } else if (now.isBefore(cleanEnough)) {
        waiting.put(scope.name, name + ": audit clean since " + live.cleanSince + ", deny at " + cleanEnough);
        next = earliest(next, cleanEnough);
      } else if (!synced) {
        waiting.put(scope.name, name + ": cluster is " + current.getStatus().state
            + (Boolean.TRUE.equals(current.getSpec().suspend) ? " and suspended" : "") + ", not Synced");
      } else {
        e.action = "deny";
        flipped.add(scope.name);
      }
    }
    return new ForCluster(desired, waiting, flipped, next);
  }

  /** The target's status reports on its present spec: the generation it last observed, on the revision it is to run. */
  private static boolean current(TrustDistributionTarget target, String revision) {
    var status = target.getStatus();
    return Objects.equals(status.observedGeneration, target.getMetadata().getGeneration()) && revision != null
        && revision.equals(target.getSpec().revision) && revision.equals(status.appliedRevision);
  }

  /** warnFor of the stage the member is in (the first whose selector matches; one without a selector takes the rest). */
  private static Duration stageWarnFor(TrustDistributionSpec spec, MemberCluster member) {
    if (spec.rollout == null || spec.rollout.stages == null) {
      return null;
    }
    Map<String, String> labels = member.getMetadata().getLabels() == null ? Map.of() : member.getMetadata().getLabels();
    for (RolloutSpec.Stage stage : spec.rollout.stages) {
      if (stage.selector == null || MemberDirectory.matches(stage.selector, labels)) {
        return stage.warnFor == null ? null : GoDuration.parse(stage.warnFor, DEFAULT_WARN);
      }
    }
    return null;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  static final int MAX_OFFENDERS = 50;

  /** status.enforcement: per scope, the clusters' actions, the audits' violations and what deny waits for. */
  static List<TrustDistributionStatus.EnforcementStatus> summary(TrustDistributionSpec spec, Map<String, TrustDistributionTarget> targets,
      Map<String, Map<String, String>> waitingByCluster) {
    if (spec.enforcement == null || spec.enforcement.scopes == null) {
      return null;
    }
    List<TrustDistributionStatus.EnforcementStatus> scopes = new ArrayList<>();
    for (EnforcementSpec.Scope scope : spec.enforcement.scopes) {
      TrustDistributionStatus.EnforcementStatus summary = new TrustDistributionStatus.EnforcementStatus();
      summary.scope = scope.name;
      int warn = 0, deny = 0, dryrun = 0;
      long violations = 0;
      List<String> waits = new ArrayList<>();
      for (var entry : new java.util.TreeMap<>(targets).entrySet()) {
        var status = entry.getValue().getStatus();
        EnforcementStatus live = status == null || status.enforcement == null ? null
            : status.enforcement.stream().filter(s -> scope.name.equals(s.scope)).findFirst().orElse(null);
        String wait = waitingByCluster.getOrDefault(entry.getKey(), Map.of()).get(scope.name);
        if (wait != null) {
          waits.add(wait);
        }
        if (live == null) {
          continue;
        }
        switch (String.valueOf(live.action)) {
          case "warn" -> warn++;
          case "deny" -> deny++;
          case "dryrun" -> dryrun++;
          default -> { }
        }
        violations += live.totalViolations == null ? 0 : live.totalViolations;
        for (TrustDistributionStatus.Violation v : live.violations == null ? List.<TrustDistributionStatus.Violation>of() : live.violations) {
          if (summary.offenders.size() < MAX_OFFENDERS) {
            TrustDistributionStatus.Violation offender = new TrustDistributionStatus.Violation();
            offender.cluster = entry.getKey();
            offender.namespace = v.namespace;
            offender.kind = v.kind;
            offender.name = v.name;
            offender.image = v.image;
            offender.message = v.message;
            summary.offenders.add(offender);
          }
        }
      }
      summary.warn = warn;
      summary.deny = deny;
      summary.dryrun = dryrun;
      summary.violations = violations;
      summary.waitingFor = waits.isEmpty() ? null
          : String.join("; ", waits.subList(0, Math.min(5, waits.size()))) + (waits.size() > 5 ? "; and " + (waits.size() - 5) + " more" : "");
      scopes.add(summary);
    }
    return scopes;
  }
}
