package io.trustsync.operator.target;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.trustsync.crd.target.TrustDistributionTargetSpec;
import io.trustsync.crd.target.TrustDistributionTargetStatus.EnforcementStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnforcementReportsTest {
  static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  static TrustDistributionTargetSpec.Enforcement scope(String team) {
    TrustDistributionTargetSpec.Enforcement e = new TrustDistributionTargetSpec.Enforcement();
    e.scope = "apps";
    e.constraint = "trustsync-prod-apps-0123abcd";
    e.action = "warn";
    e.namespaceSelector = new LabelSelectorBuilder().addToMatchLabels("team", team).build();
    return e;
  }

  static GenericKubernetesResource constraint(String action, Map<String, Object> status) {
    GenericKubernetesResource c = new GenericKubernetesResource();
    c.setApiVersion("constraints.gatekeeper.sh/v1beta1");
    c.setKind("RatifyVerification");
    c.setMetadata(new ObjectMetaBuilder().withName("trustsync-prod-apps-0123abcd").build());
    c.setAdditionalProperty("spec", Map.of("enforcementAction", action));
    if (status != null) {
      c.setAdditionalProperty("status", status);
    }
    return c;
  }

  static Map<String, GenericKubernetesResource> live(GenericKubernetesResource c) {
    return Map.of("RatifyVerification/" + c.getMetadata().getName(), c);
  }

  @Test
  void aCleanStreakIsTimedByTheOperatorAndAnUnchangedAuditWritesNothingNew() {
    var desired = List.of(scope("apps"));
    EnforcementStatus first = EnforcementReports.of(desired, live(constraint("warn", null)), Set.of(), null, T0).getFirst();
    assertThat(first.since).isEqualTo("2026-12-02T10:00:00Z");
    assertThat(first.auditTimestamp).isNull();

    Map<String, Object> clean = Map.of("auditTimestamp", "2026-12-02T10:01:00Z", "totalViolations", 0);
    EnforcementStatus seen = EnforcementReports.of(desired, live(constraint("warn", clean)), Set.of(), List.of(first), T0.plusSeconds(90)).getFirst();
    assertThat(seen.cleanSince).as("when the operator saw it, not Gatekeeper's clock").isEqualTo("2026-12-02T10:01:30Z");
    Map<String, Object> later = Map.of("auditTimestamp", "2026-12-02T10:02:00Z", "totalViolations", 0);
    EnforcementStatus again = EnforcementReports.of(desired, live(constraint("warn", later)), Set.of(), List.of(seen), T0.plusSeconds(150)).getFirst();
    assertThat(again.cleanSince).isEqualTo(seen.cleanSince);
    assertThat(again.auditTimestamp).as("a minute's audit that changes nothing").isEqualTo("2026-12-02T10:01:00Z");
  }

  @Test
  void anAuditFromBeforeTheActionWasSetDoesNotCount() {
    var desired = List.of(scope("apps"));
    EnforcementStatus first = EnforcementReports.of(desired, live(constraint("warn", null)), Set.of(), null, T0).getFirst();
    Map<String, Object> stale = Map.of("auditTimestamp", "2026-12-02T10:00:00Z", "totalViolations", 0);
    assertThat(EnforcementReports.of(desired, live(constraint("warn", stale)), Set.of(), List.of(first), T0.plusSeconds(30)).getFirst().cleanSince)
        .isNull();
    // a new match starts again: since moves, and so must the audit
    EnforcementStatus widened = EnforcementReports.of(List.of(scope("shop")), live(constraint("warn", null)), Set.of(), List.of(first),
        T0.plusSeconds(60)).getFirst();
    assertThat(widened.since).isEqualTo("2026-12-02T10:01:00Z");
  }

  @Test
  void theLiveActionIsReportedAndRatifysChangingWordsAreDropped() {
    var desired = List.of(scope("apps"));
    Map<String, Object> dirty = Map.of("auditTimestamp", "2026-12-02T10:05:00Z", "totalViolations", 1, "violations", List.of(Map.of(
        "kind", "Pod", "namespace", "shop", "name", "legacy",
        "message", "Time=2026-12-02T10:05:00Z, failed to verify the artifact: registry.example/shop/legacy:1.0, trace-id: 6d3c0a")));
    EnforcementStatus status = EnforcementReports.of(desired, live(constraint("dryrun", dirty)), Set.of(), null, T0).getFirst();
    assertThat(status.action).as("someone set dryrun by hand (driftMode report)").isEqualTo("dryrun");
    assertThat(status.violations).singleElement().satisfies(v -> {
      assertThat(v.message).isEqualTo("failed to verify the artifact: registry.example/shop/legacy:1.0");
      assertThat(v.image).isEqualTo("registry.example/shop/legacy:1.0");
    });
  }
}
