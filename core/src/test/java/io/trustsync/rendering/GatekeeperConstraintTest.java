package io.trustsync.rendering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatekeeperConstraintTest {
  @Test
  void theConstraintChecksPodsInTheSelectedNamespacesWithTheGivenAction() throws Exception {
    JsonNode selector = ManifestWriter.json().readTree("{\"matchLabels\":{\"team\":\"apps\"}}");
    RenderedObject constraint = GatekeeperConstraint.render("trustsync-prod-apps", "warn", selector, List.of("kube-system"),
        Map.of(Ownership.DISTRIBUTION, "trustsync-system.prod"));
    JsonNode manifest = constraint.manifest();
    assertThat(manifest.at("/apiVersion").asText()).isEqualTo("constraints.gatekeeper.sh/v1beta1");
    assertThat(manifest.at("/kind").asText()).isEqualTo("RatifyVerification");
    assertThat(constraint.namespace()).isNull();
    assertThat(manifest.at("/spec/enforcementAction").asText()).isEqualTo("warn");
    assertThat(manifest.at("/spec/match/kinds/0/kinds/0").asText()).isEqualTo("Pod");
    assertThat(manifest.at("/spec/match/kinds/0/apiGroups/0").asText()).isEmpty();
    assertThat(manifest.at("/spec/match/namespaceSelector/matchLabels/team").asText()).isEqualTo("apps");
    assertThat(manifest.at("/spec/match/excludedNamespaces/0").asText()).isEqualTo("kube-system");
    assertThat(manifest.at("/metadata/labels/" + Ownership.DISTRIBUTION.replace("/", "~1")).asText()).isEqualTo("trustsync-system.prod");
    // the action is content: a flip is a new hash, so drift from deny back to warn is seen
    RenderedObject deny = GatekeeperConstraint.render("trustsync-prod-apps", "deny", selector, List.of("kube-system"), Map.of());
    assertThat(deny.contentHash()).isNotEqualTo(constraint.contentHash());
    assertThatThrownBy(() -> GatekeeperConstraint.render("x", "block", null, null, Map.of())).hasMessageContaining("warn, deny, dryrun");
  }

  @Test
  void namesAreUniquePerHubNamespaceDistributionAndScopeAndAtMostSixtyThree() {
    String name = GatekeeperConstraint.name("trustsync-system", "a-very-long-distribution-name-that-goes-on-and-on-and-on", "payments");
    assertThat(name).hasSizeLessThanOrEqualTo(63).startsWith("trustsync-a-very-long").matches("[a-z0-9-]+");
    assertThat(GatekeeperConstraint.name("team-a", "prod", "apps")).startsWith("trustsync-prod-apps-").hasSize("trustsync-prod-apps-".length() + 8);
    // the same words split differently, or the same distribution in another hub namespace: other Constraints
    assertThat(GatekeeperConstraint.name("team-a", "prod", "eu-all")).isNotEqualTo(GatekeeperConstraint.name("team-a", "prod-eu", "all"));
    assertThat(GatekeeperConstraint.name("team-a", "prod", "apps")).isNotEqualTo(GatekeeperConstraint.name("team-b", "prod", "apps"));
  }

  @Test
  void theAuditIsReadInGatekeepersShapeWithTheImageRatifyNamed() throws Exception {
    JsonNode status = ManifestWriter.json().readTree("""
        {"auditTimestamp":"2026-12-02T10:00:00Z","totalViolations":3,
         "violations":[{"enforcementAction":"warn","group":"","version":"v1","kind":"Pod","name":"legacy","namespace":"shop",
           "message":"Time=2026-12-02T10:00:00Z, failed to verify the artifact: registry.example/shop/legacy:1.2, trace-id: 42"},
           {"enforcementAction":"warn","kind":"Pod","name":"other","namespace":"shop","message":"System error calling external data provider: timeout"}]}""");
    GatekeeperConstraint.Audit audit = GatekeeperConstraint.audit(status);
    assertThat(audit.totalViolations()).isEqualTo(3); // Gatekeeper lists at most its limit; the total is exact
    assertThat(audit.clean()).isFalse();
    assertThat(audit.violations()).hasSize(2);
    assertThat(audit.violations().get(0).image()).isEqualTo("registry.example/shop/legacy:1.2");
    assertThat(audit.violations().get(0).namespace()).isEqualTo("shop");
    assertThat(audit.violations().get(1).image()).isNull();
    assertThat(GatekeeperConstraint.audit(ManifestWriter.json().readTree("{\"byPod\":[]}"))).isEqualTo(GatekeeperConstraint.Audit.NONE);
    assertThat(GatekeeperConstraint.audit(ManifestWriter.json().readTree("{\"auditTimestamp\":\"2026-12-02T10:00:00Z\",\"totalViolations\":0}"))
        .clean()).isTrue();
  }
}
