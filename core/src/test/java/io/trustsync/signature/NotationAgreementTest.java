package io.trustsync.signature;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every case the fixture script ran through {@code notation verify} (notation v1.3.2 against a
 * real registry), TrustSync reaches the same verdict, with the same checks failed the same way
 * (enforced or logged) and reasons that begin as notation's do. Verification is "as of"
 * {@link Fixtures#NOW}, the instant notation verified them.
 */
class NotationAgreementTest {
  static Stream<Fixtures.Case> cases() {
    return Fixtures.cases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void agreesWithNotation(Fixtures.Case fixture) {
    Verdict verdict = NotationVerifier.verify(fixture.reference(), fixture.digest(), fixture.signatures(), Fixtures.policy(fixture.policy()),
        Fixtures.stores(), Fixtures.NOW);

    assertThat(verdict.passed()).as("%s: notation said %s; TrustSync: %s", fixture, fixture.notationOutput(), verdict.reason())
        .isEqualTo(fixture.notationPassed());
    // notation logs the failures of each signature it examined, up to the first that passed.
    List<String> failures = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (SignatureOutcome outcome : verdict.signatures()) {
      for (CheckResult check : outcome.failures()) {
        failures.add(check.check().spelling() + (check.action() == Action.ENFORCE ? " enforced" : " logged"));
        reasons.add(check.failure());
      }
      if (outcome.passed()) {
        break;
      }
    }
    assertThat(new LinkedHashSet<>(failures)).as("%s: %s", fixture, verdict).containsExactlyElementsOf(new LinkedHashSet<>(fixture.notationFailures()));
    for (int i = 0; i < fixture.notationReasons().size(); i++) {
      assertThat(reasons.get(i)).as(fixture.name()).startsWith(stem(fixture.notationReasons().get(i)));
    }
    assertThat(verdict.reason()).isNotBlank().doesNotContain("\n");
  }

  /** notation's reason up to its first detail (a quote, a colon or a bracket): the part worded the same. */
  private static String stem(String reason) {
    int end = reason.length();
    for (char c : new char[] {'"', ':', '['}) {
      int at = reason.indexOf(c);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    return reason.substring(0, end);
  }
}
