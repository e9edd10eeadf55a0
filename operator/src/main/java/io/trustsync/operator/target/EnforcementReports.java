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
final class EnforcementReports {
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
    for (TrustDistributionTargetSpec.Enforcement scope : desired) {
      String id = GatekeeperConstraint.KIND.kind() + "/" + scope.constraint;
      EnforcementStatus before = previous == null ? null
          : previous.stream().filter(p -> Objects.equals(p.scope, scope.scope)).findFirst().orElse(null);
      EnforcementStatus status = new EnforcementStatus();
      status.scope = scope.scope;
      status.constraint = scope.constraint;
      status.action = scope.action;
      status.match = matchDigest(scope);
      boolean same = before != null && Objects.equals(before.constraint, scope.constraint) && Objects.equals(before.action, scope.action)
          && Objects.equals(before.match, status.match) && before.since != null;
      status.since = same ? before.since : now.truncatedTo(ChronoUnit.SECONDS).toString();
      GenericKubernetesResource constraint = live.get(id);
      if (constraint != null && !written.contains(id)) {
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
            violation.message = v.message() == null || v.message().length() <= 512 ? v.message() : v.message().substring(0, 512) + "…";
            status.violations.add(violation);
          }
          if (audit.clean()) {
            status.cleanSince = same && before.cleanSince != null ? before.cleanSince : audit.auditTimestamp();
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

  /** Of what the Constraint matches: a change of it starts the warn period again. */
  static String matchDigest(TrustDistributionTargetSpec.Enforcement scope) {
    var mapper = Serialization.jsonMapper();
    var node = mapper.createObjectNode();
    node.set("namespaceSelector", mapper.valueToTree(scope.namespaceSelector));
    node.set("excludedNamespaces", mapper.valueToTree(scope.excludedNamespaces));
    return Integer.toHexString(node.toString().hashCode());
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
