package io.trustsync.trustpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DistinguishedName.parse gives notation-go's verdict (pkix.ParseDistinguishedName over go-ldap ParseDN). */
class DistinguishedNameTest {
  private static Map<String, String> attributes(String text) {
    DistinguishedName.Result result = DistinguishedName.parse(text);
    assertThat(result).as(text).isInstanceOf(DistinguishedName.Parsed.class);
    return ((DistinguishedName.Parsed) result).name().attributes();
  }

  private static String rejection(String text) {
    DistinguishedName.Result result = DistinguishedName.parse(text);
    assertThat(result).as(text).isInstanceOf(DistinguishedName.Invalid.class);
    return ((DistinguishedName.Invalid) result).reason();
  }

  @Test
  void readsTheSeedTutorialSubjectWithItsLeadingSpaceAndSAsSt() {
    // notation-go does not trim after "x509.subject:"; go-ldap trims spaces around types and values.
    assertThat(attributes(" CN=SecureBuilder,O=SecureBuilder,L=Seattle,S=WA,C=US"))
        .containsExactly(Map.entry("CN", "SecureBuilder"), Map.entry("O", "SecureBuilder"),
            Map.entry("L", "Seattle"), Map.entry("ST", "WA"), Map.entry("C", "US"));
  }

  @Test
  void rejectsSAndStTogetherAsDuplicate() {
    assertThat(rejection("C=US, S=WA, ST=WA, O=Example")).contains("'ST' appears more than once");
  }

  @Test
  void unescapesSpecialCharactersAndHexPairs() {
    assertThat(attributes("C=US, ST=WA, O=Example\\, Inc.\\2b\\+, CN=\\ padded\\ "))
        .containsEntry("O", "Example, Inc.++")
        .containsEntry("CN", " padded ");
  }

  @Test
  void decodesHexEscapedUtf8() {
    assertThat(attributes("C=DE, ST=Bayern, O=M\\c3\\bcnchen")).containsEntry("O", "München");
  }

  @Test
  void acceptsSemicolonAsRdnSeparator() {
    assertThat(attributes("C=US; ST=WA; O=Example")).containsOnlyKeys("C", "ST", "O");
  }

  @Test
  void keepsEqualsSignsInsideValues() {
    assertThat(attributes("C=US, ST=WA, O=a=b")).containsEntry("O", "a=b");
  }

  @Test
  void treatsAttributeTypesCaseSensitively() {
    assertThat(rejection("c=US, ST=WA, O=Example")).contains("no 'C' attribute");
  }

  @Test
  void rejectsHexEncodedValues() {
    assertThat(rejection("C=US, ST=WA, O=#0c0145")).contains("=#");
  }

  @Test
  void rejectsMultiValuedRdn() {
    assertThat(rejection("C=US+ST=WA, O=Example")).contains("multi-valued");
  }

  @Test
  void allowsRepeatingAnAttributeWhoseFirstValueWasEmpty() {
    // Go only calls it a duplicate when the stored value is non-empty.
    assertThat(attributes("O=, C=US, ST=WA, O=Example")).containsEntry("O", "Example");
  }

  @ParameterizedTest
  @ValueSource(strings = {"C=US, ST=WA, O=Example\\", "C=US, ST=WA, O=Ex\\zz", "C=US,, ST=WA, O=Example",
      "C=US, ST=WA, O=Example,", "C=US, ST, O=Example", " ", "C=US, ST=WA, O="})
  void rejectsMalformedOrIncompleteNames(String text) {
    rejection(text);
  }

  @Test
  void subsetMeansEveryAttributeMatches() {
    DistinguishedName shorter = ((DistinguishedName.Parsed) DistinguishedName.parse("C=US, ST=WA, O=Example")).name();
    DistinguishedName longer =
        ((DistinguishedName.Parsed) DistinguishedName.parse("CN=Signer, O=Example, ST=WA, C=US")).name();
    DistinguishedName other = ((DistinguishedName.Parsed) DistinguishedName.parse("C=US, ST=WA, O=Other")).name();

    assertThat(shorter.isSubsetOf(longer)).isTrue();
    assertThat(longer.isSubsetOf(shorter)).isFalse();
    assertThat(shorter.isSubsetOf(other)).isFalse();
  }
}
