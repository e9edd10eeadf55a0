package io.trustsync.signature;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.audit.SignerAudit;
import io.trustsync.registry.ImageReference;
import io.trustsync.registry.SignatureScanner;
import io.trustsync.validation.ExpectedSigners;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit's reading of notation's verdicts, on envelopes the real notation CLI made (Fixtures). */
class AuditJudgementTest {
  static SignatureScanner.Image image(Fixtures.Case c, List<String> problems) {
    List<SignatureScanner.Signature> signatures = c.signatures().stream()
        .map(s -> new SignatureScanner.Signature("sha256:" + "0".repeat(64), s.mediaType(), s.envelope())).toList();
    return new SignatureScanner.Image(ImageReference.parse(c.reference()), List.of("1.0"), signatures, problems);
  }

  @Test
  void underLevelAuditAnUntrustedChainPassesButIsNobodysSignature() {
    Fixtures.Case c = Fixtures.named("audit-wrong-store");
    Verdict verdict = NotationVerifier.verify(c.reference(), c.digest(), c.signatures(), Fixtures.policy(c.policy()), Fixtures.stores(), Fixtures.NOW);
    assertThat(verdict.passed()).as("notation passes it: authenticity is only logged").isTrue();
    SignerAudit.Image judged = SignerAudit.judge(ExpectedSigners.NONE, Fixtures.REPOSITORY, image(c, List.of()), verdict);
    assertThat(judged.state()).isEqualTo(SignerAudit.State.PASSES);
    assertThat(judged.signers()).singleElement().satisfies(s -> assertThat(s.verified()).as("its subject is anyone's to claim").isFalse());
  }

  @Test
  void anImageWhoseSignaturesWereNotAllReadNeverPasses() {
    Fixtures.Case passing = Fixtures.cases().stream().filter(Fixtures.Case::notationPassed).filter(x -> !x.signatures().isEmpty())
        .filter(x -> !x.name().startsWith("audit") && !x.name().startsWith("skip")).findFirst().orElseThrow();
    Verdict verdict = NotationVerifier.verify(passing.reference(), passing.digest(), passing.signatures(), Fixtures.policy(passing.policy()),
        Fixtures.stores(), Fixtures.NOW);
    assertThat(verdict.passed()).isTrue();
    SignerAudit.Image whole = SignerAudit.judge(ExpectedSigners.NONE, Fixtures.REPOSITORY, image(passing, List.of()), verdict);
    assertThat(whole.state()).isEqualTo(SignerAudit.State.PASSES);
    assertThat(whole.signers()).allSatisfy(s -> assertThat(s.verified()).isTrue());
    SignerAudit.Image partial = SignerAudit.judge(ExpectedSigners.NONE, Fixtures.REPOSITORY,
        image(passing, List.of("120 signatures; only the first 100 are read")), verdict);
    assertThat(partial.state()).isEqualTo(SignerAudit.State.UNREADABLE);
    assertThat(partial.reason()).contains("only the first 100 are read");
  }
}
