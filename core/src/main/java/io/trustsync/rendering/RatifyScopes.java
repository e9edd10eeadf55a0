package io.trustsync.rendering;

import java.util.regex.Pattern;

/**
 * Ratify v2's Executor scope grammar (its ScopedExecutor): {@code registry} or {@code *.domain}
 * (a registry, or every registry under a domain), or {@code registry/repository} (exactly one
 * repository, no wildcard, no tag or digest). {@code *} alone is not a scope. A Notation registry
 * scope is always {@code registry/repository} or {@code *}, so every accepted Notation scope but
 * the global one maps to a repository scope unchanged.
 */
final class RatifyScopes {
  /** A repository path as the OCI distribution spec and ORAS define it (lower case components). */
  private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?");

  private RatifyScopes() {}

  /** Why Ratify v2 would refuse {@code scope} as an Executor scope, or null when it accepts it. */
  static String problem(String scope) {
    if (scope.equals("*")) {
      return "is Notation's global scope, which Ratify v2 cannot express ('*' is not a valid Executor scope)";
    }
    int slash = scope.indexOf('/');
    if (slash < 0) {
      return scope.startsWith("*.") || REGISTRY.matcher(scope).matches() ? null : "is not a registry Ratify v2 accepts";
    }
    if (scope.contains("*")) {
      return "has a wildcard, which a Ratify v2 repository scope cannot have";
    }
    if (scope.contains("@") || scope.substring(slash + 1).contains(":")) {
      return "names a tag or digest, which a Ratify v2 scope cannot";
    }
    if (!REGISTRY.matcher(scope.substring(0, slash)).matches() || !REPOSITORY.matcher(scope.substring(slash + 1)).matches()) {
      return "is not a repository reference Ratify v2 accepts";
    }
    return null;
  }
}
