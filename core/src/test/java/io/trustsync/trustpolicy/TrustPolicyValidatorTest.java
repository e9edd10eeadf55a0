package io.trustsync.trustpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.repository.RepoFile;
import io.trustsync.findings.Finding;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a person sees from TrustPolicyValidator: rule, place and an actionable message; and the decoded model. */
class TrustPolicyValidatorTest {
  private static TrustPolicyValidator.Result validate(String json) {
    return TrustPolicyValidator.validate(new RepoFile("environments/prod/trustpolicy.json", json.getBytes(StandardCharsets.UTF_8)));
  }

  private static TrustPolicyValidator.Result corpus(String name) {
    return TrustPolicyValidator.validate(TrustPolicyCorpusTest.corpusFile(name));
  }

  @Test
  void suggestsTheIntendedKeyForATypo() {
    Finding finding = corpus("override-typo.fail.json").findings().getFirst();

    assertThat(finding.ruleId()).isEqualTo("schema.unknownProperty");
    assertThat(finding.isError()).isTrue();
    assertThat(finding.pointer()).isEqualTo("/trustPolicies/0/signatureVerification/overide");
    assertThat(finding.message()).contains("did you mean 'override'").contains("ignores it");
  }

  @Test
  void namesFileLineAndColumnOfTheBadValue() {
    Finding finding = corpus("level-case.fail.json").findings().getFirst();

    assertThat(finding.file()).isEqualTo("environments/test/level-case.fail.json");
    assertThat(finding.place()).isEqualTo("environments/test/level-case.fail.json:10:18");
    assertThat(finding.message()).contains("\"Strict\"").contains("strict, permissive, audit, skip");
  }

  @Test
  void decodesStatementsInOrderWithTheirPointers() {
    TrustPolicyValidator.Result result = corpus("skip.pass.json");

    TrustPolicyDocument document = result.document();
    assertThat(document.version()).isEqualTo("1.0");
    assertThat(document.statements()).extracting(TrustPolicyStatement::name).containsExactly("production", "unsigned");
    assertThat(document.statements()).extracting(TrustPolicyStatement::pointer)
        .containsExactly("/trustPolicies/0", "/trustPolicies/1");
    assertThat(document.statements().getFirst().trustStores()).containsExactly("ca:production");
    assertThat(document.json().get("trustPolicies").size()).isEqualTo(2);
  }

  @Test
  void decodesCaseDifferentKeysLikeNotationGo() {
    TrustPolicyValidator.Result result = corpus("key-case.fail.json");

    assertThat(result.document().version()).isEqualTo("1.0");
    assertThat(result.document().statements()).hasSize(1);
  }

  @Test
  void hasNoDocumentWhenGoCannotDecodeIt() {
    assertThat(corpus("type-scopes-string.fail.json").document()).isNull();
    assertThat(corpus("syntax.fail.json").document()).isNull();
  }

  @Test
  void treatsNullAsAbsentLikeGo() {
    TrustPolicyValidator.Result result = validate("{\"version\": null, \"trustPolicies\": null}");

    assertThat(result.document()).isNotNull();
    assertThat(result.findings()).extracting(Finding::ruleId)
        .containsExactly("notation.version", "notation.noStatements");
  }

  @Test
  void rejectsANonObjectDocument() {
    TrustPolicyValidator.Result result = validate("[]");

    assertThat(result.findings()).extracting(Finding::ruleId).containsExactly("schema.type");
    assertThat(result.document()).isNull();
  }

  @Test
  void reportsEveryProblemNotOnlyTheFirst() {
    assertThat(corpus("every-problem.fail.json").findings()).hasSizeGreaterThanOrEqualTo(10);
  }

  @Test
  void rejectsWildcardInsideScope() {
    assertThat(corpus("scope-wildcard-inside.fail.json").findings())
        .extracting(Finding::ruleId).containsExactly("notation.scopeWildcardInside");
  }

  @Test
  void acceptsSkipWithGlobalScopeButWarnsThatTheSpecForbidsIt() {
    TrustPolicyValidator.Result result = corpus("skip-global-scope.pass.json");

    assertThat(result.hasErrors()).isFalse();
    assertThat(result.findings()).extracting(Finding::ruleId).containsExactly("notation.skipGlobalScope");
  }

  @Test
  void staysFastOnAdversarialRepositoryNames() {
    String scope = "registry.example.com/" + "a-".repeat(5_000) + "!";
    long start = System.nanoTime();

    TrustPolicyValidator.Result result = validate("""
        {"version": "1.0", "trustPolicies": [{"name": "p", "registryScopes": ["%s"],
          "signatureVerification": {"level": "audit"}, "trustStores": ["ca:s"], "trustedIdentities": ["*"]}]}
        """.formatted(scope));

    assertThat(result.findings()).extracting(Finding::ruleId).containsExactly("notation.scopeFormat");
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }
}
