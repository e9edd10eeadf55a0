package io.trustsync.trustpolicy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The stack-safe scope expression accepts exactly what notation-go's validateRegistryScopeFormat accepts. */
class RegistryScopeGrammarTest {
  // Verbatim from notation-go oci.go (Go RE2 syntax is valid Java syntax here).
  private static final Pattern GO_DOMAIN = Pattern.compile(
      "^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?$");
  private static final Pattern GO_REPOSITORY = Pattern.compile(
      "^[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$");
  private static final Pattern SCOPE = Pattern.compile(NotationRules.SCOPE_EXPRESSION, Pattern.DOTALL);

  private static boolean goAccepts(String scope) {
    int slash = scope.indexOf('/');
    if (slash < 0) {
      return false;
    }
    String domain = scope.substring(0, slash);
    String repository = scope.substring(slash + 1);
    return !domain.isEmpty() && !repository.isEmpty()
        && GO_DOMAIN.matcher(domain).find() && GO_REPOSITORY.matcher(repository).find();
  }

  @Test
  void matchesGoExpressionsOnRandomScopes() {
    Random random = new Random(42);
    String alphabet = "aZ09.-_/:";
    int accepted = 0;
    for (int n = 0; n < 300_000; n++) {
      StringBuilder scope = new StringBuilder();
      int length = 1 + random.nextInt(12);
      for (int i = 0; i < length; i++) {
        scope.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String candidate = scope.toString();
      boolean go = goAccepts(candidate);
      assertThat(SCOPE.matcher(candidate).matches()).as(candidate).isEqualTo(go);
      accepted += go ? 1 : 0;
    }
    assertThat(accepted).as("the sample must contain valid scopes too").isGreaterThan(1_000);
  }

  @Test
  void acceptsAndRejectsNotationGoTestScopes() {
    for (String valid : new String[] {"example.com/rep", "example.com:8080/rep/rep2", "example.com/rep/subrep/subsub",
        "10.10.10.10:8080/rep/rep2", "domain/rep", "domain:1234/rep"}) {
      assertThat(SCOPE.matcher(valid).matches()).as(valid).isTrue();
    }
    for (String invalid : new String[] {"", "1:1", "a,b", "abcd", "1111", "1,2", "example.com/rep:tag",
        "example.com/rep/subrep/sub:latest", "example.com", "rep/rep2:latest", "repository", "10.10.10.10",
        "10.10.10.10:8080/rep/rep2:latest"}) {
      assertThat(SCOPE.matcher(invalid).matches()).as(invalid).isFalse();
    }
  }
}
