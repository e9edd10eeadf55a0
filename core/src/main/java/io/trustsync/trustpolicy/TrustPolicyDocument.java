package io.trustsync.trustpolicy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A trust policy document ({@code trustpolicy.json} / {@code trustpolicy.oci.json}) as notation
 * would see it, plus the parsed JSON it came from (kept for rendering it verbatim).
 */
public record TrustPolicyDocument(String file, String version, List<TrustPolicyStatement> statements, JsonNode json) {
  private static final Pattern SCOPE = Pattern.compile(NotationRules.SCOPE_EXPRESSION, Pattern.DOTALL);

  /**
   * Whether {@code scope} is a {@code domain/repository} notation accepts as a registry scope or as
   * the path of an artifact reference (oci.go validateRegistryScopeFormat; "*" is not one).
   */
  public static boolean isRegistryScope(String scope) {
    return !scope.contains("*") && SCOPE.matcher(scope).matches();
  }
}
