package io.trustsync.operator.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.trustsync.crd.distribution.EnforcementSpec;
import io.trustsync.crd.distribution.RolloutSpec;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionSpec;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.crd.target.TrustDistributionTargetSpec;
import io.trustsync.crd.target.TrustDistributionTargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnforcementsTest {
  static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  static final String REV = "0123456789abcdef0123456789abcdef01234567";

  static TrustDistribution distribution(String warnFor, String cleanFor, EnforcementSpec.Scope... scopes) {
    TrustDistribution d = new TrustDistribution();
    d.setMetadata(new ObjectMetaBuilder().withName("prod").withNamespace("trustsync-system").build());
    TrustDistributionSpec spec = new TrustDistributionSpec();
    spec.profile = "ratify-v1";
    spec.enforcement = new EnforcementSpec();
    spec.enforcement.warnFor = warnFor;
    spec.enforcement.cleanFor = cleanFor;
    spec.enforcement.scopes = List.of(scopes);
    d.setSpec(spec);
    return d;
  }

  static EnforcementSpec.Scope scope(String name, String team) {
    EnforcementSpec.Scope scope = new EnforcementSpec.Scope();
    scope.name = name;
    scope.namespaceSelector = team == null ? null : new LabelSelectorBuilder().addToMatchLabels("team", team).build();
    return scope;
  }

  static MemberCluster member(String name, String environment) {
    MemberCluster m = new MemberCluster();
    m.setMetadata(new ObjectMetaBuilder().withName(name).withLabels(Map.of("environment", environment)).build());
    return m;
  }

  /** The target as the last pass left it: its spec says {@code desired}, its status what the cluster reported. */
  static TrustDistributionTarget target(List<TrustDistributionTargetSpec.Enforcement> desired, String state, String action, Instant since,
      String audit, Long violations, Instant cleanSince) {
    TrustDistributionTarget t = new TrustDistributionTarget();
    t.setMetadata(new ObjectMetaBuilder().withName("prod.dev-1").withGeneration(3L).build());
    t.setSpec(new TrustDistributionTargetSpec());
    t.getSpec().enforcement = desired;
    t.getSpec().revision = REV;
    t.setStatus(new TrustDistributionTargetStatus());
    t.getStatus().state = state;
    t.getStatus().observedGeneration = 3L;
    t.getStatus().appliedRevision = REV;
    TrustDistributionTargetStatus.EnforcementStatus s = new TrustDistributionTargetStatus.EnforcementStatus();
    s.scope = desired.get(0).scope;
    s.constraint = desired.get(0).constraint;
    s.match = io.trustsync.operator.target.EnforcementReports.matchDigest(desired.get(0));
    s.action = action;
    s.since = since == null ? null : since.toString();
    s.auditTimestamp = audit;
    s.totalViolations = violations;
    s.cleanSince = cleanSince == null ? null : cleanSince.toString();
    if (violations != null && violations > 0) {
      TrustDistributionStatus.Violation v = new TrustDistributionStatus.Violation();
      v.namespace = "shop";
      v.name = "legacy";
      v.kind = "Pod";
      v.image = "registry.example/legacy:1";
      s.violations.add(v);
    }
    t.getStatus().enforcement = List.of(s);
    return t;
  }

  @Test
  void aScopeStartsAtWarnWithItsMatchInTheConstraint() {
    TrustDistribution d = distribution("14d", "24h", scope("apps", "apps"));
    Enforcements.ForCluster first = Enforcements.forCluster(d, member("dev-1", "dev"), null, REV, T0);
    assertThat(first.desired()).singleElement().satisfies(e -> {
      assertThat(e.action).isEqualTo("warn");
      assertThat(e.constraint).isEqualTo(io.trustsync.rendering.GatekeeperConstraint.name("trustsync-system", "prod", "apps"));
      assertThat(e.namespaceSelector.getMatchLabels()).containsEntry("team", "apps");
    });
    assertThat(first.flipped()).isEmpty();
    assertThat(first.waitingFor().get("apps")).contains("warn not applied yet");
  }

  @Test
  void denyWaitsForTheWarnPeriodThenForACleanAuditThenForCleanFor() {
    TrustDistribution d = distribution("14d", "24h", scope("apps", "apps"));
    MemberCluster dev = member("dev-1", "dev");
    var warn = Enforcements.forCluster(d, dev, null, REV, T0).desired();

    // warned for a day: not yet, and the plan asks to be looked at when the period ends
    var early = Enforcements.forCluster(d, dev, target(warn, "Synced", "warn", T0, "2026-12-03T10:00:00Z", 0L, T0.plusSeconds(60)),
        REV, T0.plus(Duration.ofDays(1)));
    assertThat(early.desired().get(0).action).isEqualTo("warn");
    assertThat(early.nextCheck()).isEqualTo(T0.plus(Duration.ofDays(14)));
    assertThat(early.waitingFor().get("apps")).contains("warns until 2026-12-16T10:00:00Z");

    // warned long enough, but the audit lists a violation: the report is not clean
    Instant later = T0.plus(Duration.ofDays(15));
    var dirty = Enforcements.forCluster(d, dev, target(warn, "Synced", "warn", T0, "2026-12-17T09:00:00Z", 1L, null), REV, later);
    assertThat(dirty.desired().get(0).action).isEqualTo("warn");
    assertThat(dirty.flipped()).isEmpty();
    assertThat(dirty.waitingFor().get("apps")).contains("1 violation(s)");

    // clean, but for less than cleanFor
    Instant cleanSince = later.minus(Duration.ofHours(2));
    var young = Enforcements.forCluster(d, dev, target(warn, "Synced", "warn", T0, later.toString(), 0L, cleanSince), REV, later);
    assertThat(young.desired().get(0).action).isEqualTo("warn");
    assertThat(young.nextCheck()).isEqualTo(cleanSince.plus(Duration.ofHours(24)));

    // clean for a day, but the cluster is not Synced: no deny on a configuration Git does not stand behind
    Instant dayLater = cleanSince.plus(Duration.ofHours(25));
    var degraded = Enforcements.forCluster(d, dev, target(warn, "Degraded", "warn", T0, dayLater.toString(), 0L, cleanSince), REV, dayLater);
    assertThat(degraded.desired().get(0).action).isEqualTo("warn");

    var ready = Enforcements.forCluster(d, dev, target(warn, "Synced", "warn", T0, dayLater.toString(), 0L, cleanSince), REV, dayLater);
    assertThat(ready.desired().get(0).action).isEqualTo("deny");
    assertThat(ready.flipped()).containsExactly("apps");
  }

  @Test
  void aStatusAboutAnotherSpecNeverFlips() {
    TrustDistribution d = distribution("1h", "1h", scope("apps", "apps"));
    MemberCluster dev = member("dev-1", "dev");
    var warn = Enforcements.forCluster(d, dev, null, REV, T0).desired();
    Instant late = T0.plus(Duration.ofDays(30));
    // the selector was just widened in the spec; the status still reports the old match, long clean
    TrustDistributionTarget widened = target(warn, "Synced", "warn", T0, late.toString(), 0L, T0);
    widened.getStatus().enforcement.getFirst().match = "an-older-match";
    assertThat(Enforcements.forCluster(d, dev, widened, REV, late).desired().get(0).action).isEqualTo("warn");
    // the target's spec changed (a new generation) and its reconciler has not reported on it yet
    TrustDistributionTarget lagging = target(warn, "Synced", "warn", T0, late.toString(), 0L, T0);
    lagging.getStatus().observedGeneration = 2L;
    assertThat(Enforcements.forCluster(d, dev, lagging, REV, late).desired().get(0).action).isEqualTo("warn");
    // a new revision goes out in this very pass: its configuration is not the one the audit saw
    TrustDistributionTarget moving = target(warn, "Synced", "warn", T0, late.toString(), 0L, T0);
    assertThat(Enforcements.forCluster(d, dev, moving, "fedcba9876543210fedcba9876543210fedcba98", late).desired().get(0).action).isEqualTo("warn");
    // suspended: Synced means only "nothing drifted"
    TrustDistributionTarget suspended = target(warn, "Synced", "warn", T0, late.toString(), 0L, T0);
    suspended.getSpec().suspend = true;
    assertThat(Enforcements.forCluster(d, dev, suspended, REV, late).desired().get(0).action).isEqualTo("warn");
    // all of it current: deny
    assertThat(Enforcements.forCluster(d, dev, target(warn, "Synced", "warn", T0, late.toString(), 0L, T0), REV, late).desired().get(0).action)
        .isEqualTo("deny");
  }

  @Test
  void denyStaysOnceSetButAChangedMatchStartsAgainAtWarn() {
    TrustDistribution d = distribution("1h", "1h", scope("apps", "apps"));
    MemberCluster dev = member("dev-1", "dev");
    var denying = Enforcements.forCluster(d, dev, null, REV, T0).desired();
    denying.get(0).action = "deny";
    // a violation while denying (a Pod refused) does not loosen it
    var stays = Enforcements.forCluster(d, dev, target(denying, "Synced", "deny", T0, T0.plusSeconds(600).toString(), 3L, null), REV, T0.plusSeconds(900));
    assertThat(stays.desired().get(0).action).isEqualTo("deny");
    assertThat(stays.flipped()).isEmpty();

    TrustDistribution widened = distribution("1h", "1h", scope("apps", null)); // now every namespace
    var again = Enforcements.forCluster(widened, dev, target(denying, "Synced", "deny", T0, null, null, null), REV, T0.plusSeconds(900));
    assertThat(again.desired().get(0).action).isEqualTo("warn");
  }

  @Test
  void theScopeWarnForBeatsTheStageWhichBeatsTheDistribution() {
    EnforcementSpec.Scope fast = scope("apps", "apps");
    TrustDistribution d = distribution("14d", "0s", fast, scope("infra", "infra"));
    RolloutSpec rollout = new RolloutSpec();
    RolloutSpec.Stage devStage = new RolloutSpec.Stage();
    devStage.name = "dev";
    devStage.selector = new LabelSelectorBuilder().addToMatchLabels("environment", "dev").build();
    devStage.warnFor = "2d";
    RolloutSpec.Stage rest = new RolloutSpec.Stage();
    rest.name = "rest";
    rollout.stages = List.of(devStage, rest);
    d.getSpec().rollout = rollout;
    fast.warnFor = "1h";

    MemberCluster dev = member("dev-1", "dev");
    MemberCluster prod = member("prod-1", "prod");
    var apps = Enforcements.forCluster(d, dev, null, REV, T0).desired().subList(0, 1);
    var infra = Enforcements.forCluster(d, dev, null, REV, T0).desired().subList(1, 2);
    Instant threeDays = T0.plus(Duration.ofDays(3));
    String audit = threeDays.toString();
    // apps: its own 1h; infra on dev: the stage's 2d; infra on prod: the distribution's 14d
    assertThat(Enforcements.forCluster(d, dev, target(apps, "Synced", "warn", T0, audit, 0L, T0), REV, threeDays).desired().get(0).action)
        .isEqualTo("deny");
    assertThat(Enforcements.forCluster(d, dev, target(infra, "Synced", "warn", T0, audit, 0L, T0), REV, threeDays).desired().get(1).action)
        .isEqualTo("deny");
    assertThat(Enforcements.forCluster(d, prod, target(infra, "Synced", "warn", T0, audit, 0L, T0), REV, threeDays).desired().get(1).action)
        .isEqualTo("warn");
  }

  @Test
  void pinnedActionsAreAppliedAsSaid() {
    EnforcementSpec.Scope audit = scope("audit", null);
    audit.action = "dryrun";
    var desired = Enforcements.forCluster(distribution(null, null, audit), member("dev-1", "dev"), null, REV, T0).desired();
    assertThat(desired.get(0).action).isEqualTo("dryrun");
  }

  @Test
  void badSpecsAreNamedWithTheFieldAndTheFix() {
    TrustDistribution d = distribution("14d", "1 day", scope("apps", null));
    assertThat(Enforcements.invalid(d.getSpec())).startsWith("spec.enforcement.cleanFor: '1 day' is not a duration");
    d = distribution("14d", "1d", scope("apps", null), scope("apps", "x"));
    assertThat(Enforcements.invalid(d.getSpec())).contains("scopes[1].name 'apps' is repeated");
    d = distribution("14d", "1d", scope("apps", null));
    d.getSpec().profile = "ratify-v2";
    assertThat(Enforcements.invalid(d.getSpec())).contains("set spec.profile: ratify-v1");
    d.getSpec().profile = "ratify-v1";
    assertThat(Enforcements.invalid(d.getSpec())).isNull();
  }

  @Test
  void theSummaryCountsActionsAndListsTheOffendersByCluster() {
    TrustDistribution d = distribution("14d", "24h", scope("apps", "apps"));
    var warn = Enforcements.forCluster(d, member("a", "dev"), null, REV, T0).desired();
    Map<String, TrustDistributionTarget> targets = Map.of(
        "a", target(warn, "Synced", "warn", T0, T0.plusSeconds(60).toString(), 1L, null),
        "b", target(warn, "Synced", "deny", T0, T0.plusSeconds(60).toString(), 0L, T0));
    var summary = Enforcements.summary(d.getSpec(), targets, Map.of("a", Map.of("apps", "a: 1 violation(s)")));
    assertThat(summary).singleElement().satisfies(s -> {
      assertThat(s.warn).isEqualTo(1);
      assertThat(s.deny).isEqualTo(1);
      assertThat(s.violations).isEqualTo(1);
      assertThat(s.waitingFor).isEqualTo("a: 1 violation(s)");
      assertThat(s.offenders).singleElement().satisfies(o -> {
        assertThat(o.cluster).isEqualTo("a");
        assertThat(o.namespace).isEqualTo("shop");
        assertThat(o.image).isEqualTo("registry.example/legacy:1");
      });
    });
  }
}
