package io.trustsync.operator.target;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.target.TrustDistributionTargetSpec;
import io.trustsync.crd.target.TrustDistributionTargetStatus.EnforcementStatus;
import io.trustsync.rendering.GatekeeperConstraint;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What each enforcement scope's Constraint is in a cluster, as the target's status tells the
 * distribution: the action, since when it has been in force with the same match, and what
 * Gatekeeper's latest audit found. An audit counts only if it ran after the action and match were
 * set; {@code cleanSince} is the first clean audit of the current streak.
 */
public final class EnforcementReports {
  static final int MAX_VIOLATIONS = 20;

  private EnforcementReports() {}

  /**
   * @param live the live Constraints by object id (their status is Gatekeeper's)
   * @param written ids of the Constraints written in this pass (their live status predates the write)
   */
  static List<EnforcementStatus> of(List<TrustDistributionTargetSpec.Enforcement> desired, Map<String, GenericKubernetesResource> live,
      java.util.Set<String> written, List<EnforcementStatus> previous, Instant now) {
    if (desired == null || desired.isEmpty()) {
      return null;
    }
    List<EnforcementStatus> statuses = new ArrayList<>();
    String seenAt = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (TrustDistributionTargetSpec.Enforcement scope : desired) {
      String id = GatekeeperConstraint.KIND.kind() + "/" + scope.constraint;
      EnforcementStatus before = previous == null ? null
          : previous.stream().filter(p -> Objects.equals(p.scope, scope.scope)).findFirst().orElse(null);
      GenericKubernetesResource constraint = live.get(id);
      boolean fresh = constraint != null && !written.contains(id);
      EnforcementStatus status = new EnforcementStatus();
      status.scope = scope.scope;
      status.constraint = scope.constraint;
      // the action live in the cluster (a hand edit under driftMode report shows), or the one just written
      status.action = fresh ? liveAction(constraint, scope.action) : scope.action;
      status.match = matchDigest(scope);
      boolean same = before != null && Objects.equals(before.constraint, scope.constraint) && Objects.equals(before.action, status.action)
          && Objects.equals(before.match, status.match) && before.since != null;
      status.since = same ? before.since : seenAt;
      if (fresh) {
        JsonNode json = Serialization.jsonMapper().valueToTree(constraint.getAdditionalProperties().get("status"));
        GatekeeperConstraint.Audit audit = GatekeeperConstraint.audit(json);
        if (audit.auditTimestamp() != null && after(audit.auditTimestamp(), status.since)) {
          status.auditTimestamp = audit.auditTimestamp();
          status.totalViolations = audit.totalViolations() != null ? audit.totalViolations() : (long) audit.violations().size();
          for (GatekeeperConstraint.Violation v : audit.violations()) {
            if (status.violations.size() == MAX_VIOLATIONS) {
              break;
            }
            TrustDistributionStatus.Violation violation = new TrustDistributionStatus.Violation();
            violation.namespace = v.namespace();
            violation.kind = v.kind();
            violation.name = v.name();
            violation.image = v.image();
            violation.message = steady(v.message());
            status.violations.add(violation);
          }
          // clean since the operator first saw a clean audit (its own clock, like cleanFor's)
          if (audit.clean()) {
            status.cleanSince = same && before.cleanSince != null ? before.cleanSince : seenAt;
          }
          if (same && before.auditTimestamp != null && Objects.equals(before.totalViolations, status.totalViolations)
              && Objects.equals(before.cleanSince, status.cleanSince) && sameViolations(before.violations, status.violations)) {
            // Gatekeeper audits every minute: a new timestamp that changes nothing is not worth a status write per cluster
            status.auditTimestamp = before.auditTimestamp;
          }
        }
      } else if (same) {
        // just written, or not seen yet: what the last audit said still stands
        status.auditTimestamp = before.auditTimestamp;
        status.totalViolations = before.totalViolations;
        status.cleanSince = before.cleanSince;
        status.violations = before.violations;
      }
      statuses.add(status);
    }
    return statuses;
  }

  private static String liveAction(GenericKubernetesResource constraint, String fallback) {
    Object spec = constraint.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> m && m.get("enforcementAction") instanceof String action ? action : fallback;
  }

  /**
   * Ratify's message without what changes at every audit (its "Time=..., " and ", trace-id: ..."),
   * at most 512 characters.
   */
  static String steady(String message) {
    if (message == null) {
      return null;
    }
    String text = message.replaceFirst("^Time=[^,]*,\\s*", "").replaceFirst(",\\s*trace-id:\\s*\\S*$", "");
    return text.length() <= 512 ? text : text.substring(0, 512) + "…";
  }

  private static boolean sameViolations(List<TrustDistributionStatus.Violation> a, List<TrustDistributionStatus.Violation> b) {
    var mapper = Serialization.jsonMapper();
    return mapper.valueToTree(a == null ? List.of() : a).equals(mapper.valueToTree(b == null ? List.of() : b));
  }

  /** Of what the Constraint matches (SHA-256 of canonical JSON): a change of it starts the warn period again. */
  public static String matchDigest(TrustDistributionTargetSpec.Enforcement scope) {
    var mapper = Serialization.jsonMapper();
    var node = mapper.createObjectNode();
    node.set("namespaceSelector", mapper.valueToTree(scope.namespaceSelector));
    node.set("excludedNamespaces", mapper.valueToTree(scope.excludedNamespaces));
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
          .digest(io.trustsync.rendering.ManifestWriter.canonicalJson(node).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(hash, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Strictly after: both are whole seconds, and an audit in the second the action was set may have started before it. */
  private static boolean after(String timestamp, String since) {
    try {
      return Instant.parse(timestamp).isAfter(Instant.parse(since));
    } catch (DateTimeParseException e) {
      return false; // not a time Gatekeeper writes: not an audit to trust
    }
  }
}
