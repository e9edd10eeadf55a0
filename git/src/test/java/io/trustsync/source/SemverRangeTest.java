package io.trustsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SemverRangeTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
      "1.2.3, 1.2.3, true",
      "1.2.3, 1.2.4, false",
      "'>=1.0.0 <2.0.0', 1.0.0, true",
      "'>=1.0.0 <2.0.0', 1.9.9, true",
      "'>=1.0.0 <2.0.0', 2.0.0, false",
      "'>=1.0.0 <2.0.0', 0.9.9, false",
      "'>= 1.0.0', 3.0.0, true",
      "^1.2, 1.2.0, true",
      "^1.2, 1.9.0, true",
      "^1.2, 2.0.0, false",
      "^1.2, 1.1.9, false",
      "^0.2.3, 0.2.9, true",
      "^0.2.3, 0.3.0, false",
      "^0.0.3, 0.0.4, false",
      "~1.2.3, 1.2.9, true",
      "~1.2.3, 1.3.0, false",
      "~1.2.3, 1.2.2, false",
      "~1, 1.9.0, true",
      "1.x, 1.0.0, true",
      "1.x, 1.99.1, true",
      "1.x, 2.0.0, false",
      "1.2.x, 1.2.7, true",
      "1.2.x, 1.3.0, false",
      "*, 0.0.1, true",
      "*, 99.0.0, true",
      "'<1.2', 1.1.9, true",
      "'<1.2', 1.2.0, false",
      "'>1.2', 1.2.9, false",
      "'>1.2', 1.3.0, true",
      "'<=1.2', 1.2.9, true",
      "'1.0.0 || ^3.0', 3.1.0, true",
      "'1.0.0 || ^3.0', 2.0.0, false",
      "^1.0, 1.5.0-rc.1, false",
      "'>=1.5.0-rc.1', 1.5.0-rc.2, true",
      "'>=1.5.0-rc.1', 1.5.0, true",
      "*, 2.0.0-alpha, false",
  })
  void matchesVersionsAsNpmAndFluxDo(String range, String version, boolean expected) {
    assertThat(SemverRange.parse(range).matches(SemanticVersion.fromTag(version).orElseThrow())).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"v1.4.0, 1.4.0", "1.4.0, 1.4.0", "v2.0.0-rc.1+build.5, 2.0.0-rc.1"})
  void readsVersionsFromTagsWithOrWithoutV(String tag, String version) {
    assertThat(SemanticVersion.fromTag(tag)).map(SemanticVersion::toString).hasValue(version);
  }

  @ParameterizedTest
  @CsvSource({"release-1", "v1.4", "latest"})
  void ignoresTagsThatAreNotVersions(String tag) {
    assertThat(SemanticVersion.fromTag(tag)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"'>=banana'", "'1.2.3.4'", "'=>1.0'", "''"})
  void rejectsUnreadableRanges(String range) {
    assertThatThrownBy(() -> SemverRange.parse(range)).isInstanceOf(IllegalArgumentException.class);
  }

  @org.junit.jupiter.api.Test
  void ordersPreReleasesBeforeTheRelease() {
    SemanticVersion alpha = SemanticVersion.fromTag("1.0.0-alpha").orElseThrow();
    SemanticVersion rc1 = SemanticVersion.fromTag("1.0.0-rc.1").orElseThrow();
    SemanticVersion rc2 = SemanticVersion.fromTag("1.0.0-rc.2").orElseThrow();
    SemanticVersion release = SemanticVersion.fromTag("1.0.0").orElseThrow();
    assertThat(java.util.List.of(release, rc2, alpha, rc1).stream().sorted().toList())
        .containsExactly(alpha, rc1, rc2, release);
  }
}
