package io.trustsync.trustpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.findings.Finding;
import io.trustsync.repository.RepoFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Repeated keys decode as Go's encoding/json decodes them (the notation-check differential test
 * compares the same documents with notation-go), and the notation.* findings follow that decoding
 * while schema.duplicateKey stays the error.
 */
class GoDecodingTest {
  private static TrustPolicyValidator.Result validate(String name) {
    String json = RepeatedKeyDocuments.all().get(name);
    return TrustPolicyValidator.validate(new RepoFile("environments/prod/trustpolicy.json", json.getBytes(StandardCharsets.UTF_8)));
  }

  private static TrustPolicyStatement only(TrustPolicyValidator.Result result) {
    assertThat(result.document().statements()).hasSize(1);
    return result.document().statements().getFirst();
  }

  private static List<String> rules(TrustPolicyValidator.Result result) {
    return result.findings().stream().map(Finding::ruleId).toList();
  }

  @Test
  void repeatedObjectsMergeFieldByField() {
    TrustPolicyValidator.Result result = validate("objects-merge");

    TrustPolicyStatement statement = only(result);
    assertThat(statement.level()).isEqualTo("strict");
    assertThat(statement.override()).containsExactly(Map.entry("revocation", "log"));
    // Last-value decoding saw no level and reported notation.level; Go keeps "strict".
    assertThat(rules(result)).containsExactly("schema.duplicateKey");
  }

  @Test
  void aLaterNullLeavesStringsAndObjectsButEmptiesSlices() {
    TrustPolicyValidator.Result result = validate("later-null");

    TrustPolicyStatement statement = only(result);
    assertThat(statement.name()).isEqualTo("a");
    assertThat(statement.level()).isEqualTo("audit");
    assertThat(statement.trustStores()).isEmpty();
    assertThat(rules(result)).filteredOn(rule -> rule.startsWith("notation.")).containsExactly("notation.missingTrust");
    assertThat(rules(result)).filteredOn(rule -> rule.equals("schema.duplicateKey")).hasSize(3);
  }

  @Test
  void aRepeatedArrayMergesIntoTheElementsAlreadyThere() {
    TrustPolicyStatement statement = only(validate("statements-merge-by-index"));

    assertThat(statement.name()).isEqualTo("c");
    assertThat(statement.registryScopes()).containsExactly("r.example/a");
    assertThat(statement.trustStores()).containsExactly("ca:a");
  }

  @Test
  void aSliceThatShrankFindsItsOldElementsWhenItGrowsAgain() {
    List<TrustPolicyStatement> statements = validate("statements-reuse-backing").document().statements();

    assertThat(statements).extracting(TrustPolicyStatement::name).containsExactly("y", "z", "c", "");
    assertThat(statements.get(1).registryScopes()).containsExactly("r.example/b");
    assertThat(statements.get(3).registryScopes()).isEmpty();
    assertThat(only(validate("strings-reuse-backing")).registryScopes())
        .containsExactly("r.example/y", "r.example/b", "r.example/c", "");
    assertThat(only(validate("empty-array-drops-backing")).registryScopes()).containsExactly("r.example/y", "");
  }

  @Test
  void repeatedMapsMergeAndANullMapStartsAfresh() {
    List<TrustPolicyStatement> statements = validate("maps-merge").document().statements();

    assertThat(statements.get(0).override())
        .containsExactlyInAnyOrderEntriesOf(Map.of("revocation", "log", "expiry", "log", "authenticity", ""));
    assertThat(statements.get(1).override()).containsExactly(Map.entry("revocation", "skip"));
  }

  @Test
  void keysDifferingOnlyInCaseDecodeIntoTheSameField() {
    TrustPolicyValidator.Result result = validate("keys-differing-in-case");

    TrustPolicyStatement statement = only(result);
    assertThat(statement.name()).isEqualTo("b");
    assertThat(statement.registryScopes()).containsExactly("r.example/b");
    assertThat(statement.level()).isEqualTo("strict");
    assertThat(statement.verifyTimestamp()).isEqualTo("afterCertExpiry");
    assertThat(statement.trustStores()).containsExactly("ca:c");
    assertThat(rules(result)).containsOnly("schema.unknownProperty").hasSize(5);
  }

  @Test
  void aWrongTypeInAnEarlierOccurrenceStillFailsTheDecoding() {
    TrustPolicyValidator.Result result = validate("earlier-wrong-type");

    assertThat(result.document()).isNull();
    assertThat(rules(result)).contains("schema.type", "schema.duplicateKey");
  }

  @Test
  void elementsWrittenLongAgoComeBackWhenTheSliceGrowsPastThem() {
    List<String> scopes = only(validate("strings-regrow")).registryScopes();
    List<String> expected = new ArrayList<>(List.of("r.example/first", "r.example/y"));
    IntStream.range(2, 70).forEach(i -> expected.add("r.example/s" + i));
    expected.addAll(Collections.nCopies(5, ""));
    assertThat(scopes).containsExactlyElementsOf(expected);

    List<TrustPolicyStatement> statements = validate("statements-regrow").document().statements();
    assertThat(statements).extracting(TrustPolicyStatement::name)
        .containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> i < 17 ? "s" + i : "").toList());
  }

  @Test
  void documentsWithoutRepeatsKeepTheFastPath() {
    TrustPolicyValidator.Result result = TrustPolicyValidator.validate(new RepoFile("environments/prod/trustpolicy.json",
        ("{\"version\": \"1.0\", \"trustPolicies\": [" + RepeatedKeyDocuments.statement("a", "r.example/a") + "]}")
            .getBytes(StandardCharsets.UTF_8)));

    assertThat(result.findings()).isEmpty();
    assertThat(only(result).trustStores()).containsExactly("ca:a");
  }
}
