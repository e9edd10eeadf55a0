package io.trustsync.findings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GateConfigTest {
  private static GateConfig parse(String yaml) {
    return GateConfig.parse(yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static final Finding EXPIRING = Finding.warning("store.expiringSoon", "truststore/x509/ca/a/root.pem", "expires in 10 days");
  private static final Finding SKIP = Finding.warning("notation.skipGlobalScope", "environments/dev/trustpolicy.json", "skip with *");
  private static final Finding SIGNER = Finding.error("signer.identityUnsatisfied", "environments/dev/trustpolicy.json", "no signer");
  private static final Finding NOTATION = Finding.error("notation.scopeFormat", "environments/dev/trustpolicy.json", "bad scope");

  @Test
  void promotesSuppressesWithAReasonAndDemotesOnlyWhatMayBe() {
    GateConfig config = parse("""
        rules:
          store.expiringSoon: error
          notation.skipGlobalScope: {severity: off, reason: development runs public images unverified}
          signer.identityUnsatisfied: warning
        expiryWindow: 60d
        maxFileBytes: 4194304
        """);
    assertThat(config.problems()).isEmpty();
    List<GateConfig.Suppressed> suppressed = new ArrayList<>();
    List<Finding> adjusted = config.adjust(List.of(EXPIRING, SKIP, SIGNER, NOTATION), suppressed);

    assertThat(adjusted).extracting(Finding::ruleId, Finding::severity).containsExactly(
        org.assertj.core.groups.Tuple.tuple("store.expiringSoon", Severity.ERROR),
        org.assertj.core.groups.Tuple.tuple("signer.identityUnsatisfied", Severity.WARNING),
        org.assertj.core.groups.Tuple.tuple("notation.scopeFormat", Severity.ERROR));
    assertThat(adjusted.getFirst().message()).endsWith("[error by .trustsync.yaml]");
    assertThat(suppressed).singleElement().satisfies(s -> {
      assertThat(s.finding()).isEqualTo(SKIP);
      assertThat(s.reason()).isEqualTo("development runs public images unverified");
    });
    assertThat(config.apply(ValidationOptions.at(Instant.EPOCH)).expiryWarningWindow()).isEqualTo(Duration.ofDays(60));
    assertThat(config.maxFileBytes()).isEqualTo(4194304L);
  }

  @Test
  void refusesWhatWouldLetAnInvalidRevisionThrough() {
    GateConfig config = parse("""
        rules:
          notation.scopeFormat: warning
          store.notCertificate: off
          store.expiringSoon: off
          store.expird: error
          notation.level: loud
        expiryWindow: a month
        maxFileBytes: 999999999
        colour: blue
        """);
    assertThat(config.problems()).extracting(Finding::ruleId, Finding::pointer).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("config.cannotDemote", "/rules/notation.scopeFormat"),
        org.assertj.core.groups.Tuple.tuple("config.cannotDemote", "/rules/store.notCertificate"),
        org.assertj.core.groups.Tuple.tuple("config.reasonRequired", "/rules/store.expiringSoon"),
        org.assertj.core.groups.Tuple.tuple("config.unknownRule", "/rules/store.expird"),
        org.assertj.core.groups.Tuple.tuple("config.severity", "/rules/notation.level"),
        org.assertj.core.groups.Tuple.tuple("config.limit", "/expiryWindow"),
        org.assertj.core.groups.Tuple.tuple("config.limit", "/maxFileBytes"),
        org.assertj.core.groups.Tuple.tuple("config.unknownKey", "/colour"));
    assertThat(config.problems()).allMatch(Finding::isError);
    assertThat(config.problems()).filteredOn(f -> f.ruleId().equals("config.unknownRule"))
        .singleElement().satisfies(f -> assertThat(f.message()).contains("did you mean 'store.expired'"));
    // nothing refused takes effect
    assertThat(config.adjust(List.of(NOTATION), new ArrayList<>())).containsExactly(NOTATION);
  }

  @Test
  void brokenYamlNamesTheLine() {
    GateConfig config = parse("rules:\n  store.expired: [error\n");
    assertThat(config.problems()).singleElement().satisfies(f -> {
      assertThat(f.ruleId()).isEqualTo("config.invalid");
      assertThat(f.file()).isEqualTo(".trustsync.yaml");
      assertThat(f.line()).isPositive();
    });
  }
}
