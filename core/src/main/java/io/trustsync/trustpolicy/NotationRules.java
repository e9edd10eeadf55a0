package io.trustsync.trustpolicy;

import io.trustsync.json.JsonDocument;
import io.trustsync.json.JsonPointers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The notation.* rules: notation-go v1.3 {@code OCIDocument.Validate} (verifier/trustpolicy
 * oci.go, trustpolicy.go, internal/pkix) with the same verdict, except that every problem is
 * reported instead of only the first. Warnings mark where the Notary Project specification is
 * stricter than notation-go.
 */
final class NotationRules {
  private static final Set<String> LEVELS = Set.of("strict", "permissive", "audit", "skip");
  private static final List<String> VALIDATION_TYPES =
      List.of("integrity", "authenticity", "authenticTimestamp", "expiry", "revocation");
  private static final List<String> ACTIONS = List.of("enforce", "log", "skip");
  private static final List<String> STORE_TYPES = List.of("ca", "signingAuthority", "tsa");
  private static final List<String> TIMESTAMP_OPTIONS = List.of("always", "afterCertExpiry");
  private static final String WILDCARD = "*";
  private static final String X509_SUBJECT = "x509.subject";

  // internal/file.IsValidFileName.
  private static final Pattern STORE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
  // oci.go validateRegistryScopeFormat: domain/repository with distribution's domain and
  // repository expressions. Rewritten without repeated groups, which Java's matcher evaluates
  // recursively (a long "a-a-a-..." repository overflowed the stack): both ends of the domain and
  // of the repository are alphanumeric, and the lookahead forbids every run of separators other
  // than ".", "_", "__", "-+" and "/". It accepts exactly the strings Go's expressions accept.
  static final String SCOPE_EXPRESSION = "(?!.*(?:[./][._/-]|_[./-]|-[._/]|___))"
      + "[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?/[a-z0-9](?:[a-z0-9._/-]*[a-z0-9])?";
  private static final Pattern SCOPE = Pattern.compile(SCOPE_EXPRESSION, Pattern.DOTALL);

  private final JsonDocument json;
  private final Findings findings;

  private NotationRules(JsonDocument json, Findings findings) {
    this.json = json;
    this.findings = findings;
  }

  static void check(TrustPolicyDocument document, JsonDocument json, Findings findings) {
    new NotationRules(json, findings).document(document);
  }

  private void document(TrustPolicyDocument document) {
    String version = field("", "version");
    // notation.version — OCIDocument.Validate: version non-empty and in supportedPolicyVersions.
    if (document.version().isEmpty()) {
      findings.error("notation.version", version, "the trust policy has no \"version\"; set \"version\": \"1.0\"");
    } else if (!document.version().equals("1.0")) {
      findings.error("notation.version", version,
          "version \"" + document.version() + "\" is not supported; notation supports only \"1.0\"");
    }
    // notation.noStatements — OCIDocument.Validate: len(TrustPolicies) == 0.
    if (document.statements().isEmpty()) {
      findings.error("notation.noStatements", field("", "trustPolicies"),
          "the trust policy has no statements; add at least one entry to \"trustPolicies\"");
    }
    Map<String, String> names = new HashMap<>();
    for (TrustPolicyStatement statement : document.statements()) {
      String name = field(statement.pointer(), "name");
      // notation.statementName — validateCore: name == "".
      if (statement.name().isEmpty()) {
        findings.error("notation.statementName", name, "this statement has no \"name\"; give it a unique, non-empty name");
      } else if (names.putIfAbsent(statement.name(), statement.pointer()) != null) {
        // notation.duplicateStatementName — OCIDocument.Validate: policyStatementNameCount > 1.
        findings.error("notation.duplicateStatementName", name,
            "the statement name \"" + statement.name() + "\" is already used by the statement at "
                + names.get(statement.name()) + "; statement names must be unique, rename one");
      }
      signatureVerification(statement);
      trust(statement);
    }
    registryScopes(document);
  }

  private void signatureVerification(TrustPolicyStatement statement) {
    String verification = field(statement.pointer(), "signatureVerification");
    String level = field(verification, "level");
    String override = field(verification, "override");
    String who = quoted(statement);
    // notation.level — SignatureVerification.GetVerificationLevel: empty or unknown level (case-sensitive).
    if (statement.level().isEmpty()) {
      findings.error("notation.level", level,
          "statement " + who + " has no signatureVerification level; set \"level\" to one of strict, permissive, audit, skip");
    } else if (!LEVELS.contains(statement.level())) {
      String hint = LEVELS.contains(statement.level().toLowerCase(Locale.ROOT))
          ? " (levels are case-sensitive: use \"" + statement.level().toLowerCase(Locale.ROOT) + "\")" : "";
      findings.error("notation.level", level, "statement " + who + " has the unknown level \"" + statement.level()
          + "\"" + hint + "; use one of strict, permissive, audit, skip");
    }
    if (!statement.override().isEmpty()) {
      if (statement.level().equals("skip")) {
        // notation.overrideWithSkip — GetVerificationLevel: level skip "can't be used to customize".
        findings.error("notation.overrideWithSkip", override, "statement " + who
            + " has level skip, which can't be customised; remove \"override\" or choose strict, permissive or audit");
      } else {
        overrides(statement, override);
      }
    }
    // notation.verifyTimestamp — validateCore (notation-go >= 1.2): "", always or afterCertExpiry, at every level.
    if (!statement.verifyTimestamp().isEmpty() && !TIMESTAMP_OPTIONS.contains(statement.verifyTimestamp())) {
      findings.error("notation.verifyTimestamp", field(verification, "verifyTimestamp"), "statement " + who
          + " has verifyTimestamp \"" + statement.verifyTimestamp() + "\"; use \"always\" (the default) or \"afterCertExpiry\"");
    }
  }

  /** GetVerificationLevel's override loop, one finding per bad entry. */
  private void overrides(TrustPolicyStatement statement, String override) {
    String who = quoted(statement);
    for (Map.Entry<String, String> entry : statement.override().entrySet()) {
      String type = entry.getKey();
      String action = entry.getValue();
      String at = JsonPointers.child(override, type);
      // notation.override — unknown verification type or action.
      if (!VALIDATION_TYPES.contains(type)) {
        findings.keyError("notation.override", at, "statement " + who + " overrides the unknown verification \""
            + type + "\"; use authenticity, authenticTimestamp, expiry or revocation (case-sensitive)");
        continue;
      }
      if (!ACTIONS.contains(action)) {
        findings.error("notation.override", at, "statement " + who + " sets \"" + type + "\" to the unknown action \""
            + action + "\"; use enforce or log" + (type.equals("revocation") ? " or skip" : ""));
      }
      if (type.equals("integrity")) {
        // notation.overrideIntegrity — integrity "can not be overridden".
        findings.keyError("notation.overrideIntegrity", at, "statement " + who
            + " overrides \"integrity\", which is always enforced and can't be overridden; remove this entry");
      } else if (action.equals("skip") && !type.equals("revocation")) {
        // notation.overrideSkip — only revocation may be skipped.
        findings.error("notation.overrideSkip", at, "statement " + who + " skips \"" + type
            + "\", but only revocation can be skipped; use enforce or log");
      }
    }
  }

  /** validateCore: trust stores and identities by level, then validateTrustStore and validateTrustedIdentities. */
  private void trust(TrustPolicyStatement statement) {
    String stores = field(statement.pointer(), "trustStores");
    String identities = field(statement.pointer(), "trustedIdentities");
    String who = quoted(statement);
    if (statement.level().equals("skip")) {
      // notation.skipWithTrust — level skip with trust stores or trusted identities.
      if (!statement.trustStores().isEmpty()) {
        findings.error("notation.skipWithTrust", stores, "statement " + who
            + " skips verification but lists trust stores; remove \"trustStores\" or choose another level");
      }
      if (!statement.trustedIdentities().isEmpty()) {
        findings.error("notation.skipWithTrust", identities, "statement " + who
            + " skips verification but lists trusted identities; remove \"trustedIdentities\" or choose another level");
      }
      return;
    }
    // Checked for an unknown level too: notation-go already rejects the statement, and these
    // problems remain once the level is fixed to anything but skip.
    // notation.missingTrust — both trust stores and trusted identities are required.
    if (statement.trustStores().isEmpty()) {
      findings.error("notation.missingTrust", stores, "statement " + who
          + " has no trust stores; add \"trustStores\" such as [\"ca:my-store\"] (or use level skip)");
    }
    if (statement.trustedIdentities().isEmpty()) {
      findings.error("notation.missingTrust", identities, "statement " + who
          + " has no trusted identities; add \"trustedIdentities\" such as [\"x509.subject: C=US, ST=WA, O=Example\"] or [\"*\"]");
    }
    trustStores(statement, stores);
    trustedIdentities(statement, identities);
  }

  private void trustStores(TrustPolicyStatement statement, String stores) {
    String who = quoted(statement);
    for (int i = 0; i < statement.trustStores().size(); i++) {
      String store = statement.trustStores().get(i);
      String at = JsonPointers.child(stores, i);
      int colon = store.indexOf(':');
      // notation.trustStoreFormat — validateTrustStore: strings.Cut(store, ":") not found.
      if (colon < 0) {
        findings.error("notation.trustStoreFormat", at, "statement " + who + " has the trust store \"" + store
            + "\" without a type; write it as <type>:<name>, e.g. \"ca:" + store + "\"");
        continue;
      }
      String type = store.substring(0, colon);
      String name = store.substring(colon + 1);
      // notation.trustStoreType — isValidTrustStoreType (case-sensitive).
      if (!STORE_TYPES.contains(type)) {
        findings.error("notation.trustStoreType", at, "statement " + who + " uses the unknown trust store type \""
            + type + "\" in \"" + store + "\"; use ca, signingAuthority or tsa (case-sensitive)");
      }
      // notation.trustStoreName — file.IsValidFileName: [a-zA-Z0-9_.-]+.
      if (!STORE_NAME.matcher(name).matches()) {
        findings.error("notation.trustStoreName", at, "statement " + who + " names the trust store \"" + name
            + "\" in \"" + store + "\"; a store name is one or more of a-z A-Z 0-9 _ . -");
      }
    }
  }

  private void trustedIdentities(TrustPolicyStatement statement, String identities) {
    String who = quoted(statement);
    List<String> values = statement.trustedIdentities();
    // notation.identityWildcard — validateTrustedIdentities: '*' with other values.
    if (values.size() > 1 && values.contains(WILDCARD)) {
      findings.error("notation.identityWildcard", JsonPointers.child(identities, values.indexOf(WILDCARD)), "statement "
          + who + " combines the wildcard identity \"*\" with other identities; keep only \"*\" or only the listed identities");
    }
    List<ParsedIdentity> names = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String identity = values.get(i);
      String at = JsonPointers.child(identities, i);
      if (identity.isEmpty()) {
        // notation.identityEmpty — empty trusted identity.
        findings.error("notation.identityEmpty", at, "statement " + who
            + " has an empty trusted identity; remove it or write \"x509.subject: C=..., ST=..., O=...\"");
        continue;
      }
      if (identity.equals(WILDCARD)) {
        continue;
      }
      int colon = identity.indexOf(':');
      if (colon < 0) {
        // notation.identitySeparator — strings.Cut(identity, ":") not found.
        findings.error("notation.identitySeparator", at, "statement " + who + " has the trusted identity \"" + identity
            + "\" without a ':' separator; write \"x509.subject: " + identity + "\" for a certificate subject");
        continue;
      }
      String prefix = identity.substring(0, colon);
      String value = identity.substring(colon + 1);
      if (!prefix.equals(X509_SUBJECT)) {
        // Any other prefix is a plugin identity, passed through unchecked by notation-go.
        if (prefix.strip().equalsIgnoreCase(X509_SUBJECT)) {
          // notation.identityPrefix (warning) — not an upstream rule: the prefix is case- and
          // space-sensitive, so this identity never matches a certificate subject.
          findings.warning("notation.identityPrefix", at, "statement " + who + " has the identity prefix \"" + prefix
              + "\", which notation treats as a plugin identity, not a certificate subject; write \"x509.subject:\" exactly");
        }
        continue;
      }
      if (value.isEmpty()) {
        // notation.identityEmpty — "x509.subject:" "without an identity value".
        findings.error("notation.identityEmpty", at, "statement " + who
            + " has \"x509.subject:\" without a distinguished name; add one like \"x509.subject: C=US, ST=WA, O=Example\"");
        continue;
      }
      // notation.identityDn — pkix.ParseDistinguishedName.
      switch (DistinguishedName.parse(value)) {
        case DistinguishedName.Parsed parsed -> names.add(new ParsedIdentity(identity, at, parsed.name()));
        case DistinguishedName.Invalid invalid -> findings.error("notation.identityDn", at,
            "statement " + who + " has the trusted identity \"" + identity + "\" whose distinguished name notation rejects: "
                + invalid.reason());
      }
    }
    // notation.identityOverlap — validateOverlappingDNs with pkix.IsSubsetDN, reported once per pair.
    for (int j = 1; j < names.size(); j++) {
      for (int i = 0; i < j; i++) {
        ParsedIdentity earlier = names.get(i);
        ParsedIdentity later = names.get(j);
        if (earlier.name().isSubsetOf(later.name()) || later.name().isSubsetOf(earlier.name())) {
          findings.error("notation.identityOverlap", later.pointer(), "statement " + who + " has overlapping identities \""
              + later.identity() + "\" and \"" + earlier.identity()
              + "\": a certificate matching the longer one matches both; keep only one of them");
        }
      }
    }
  }

  private record ParsedIdentity(String identity, String pointer, DistinguishedName name) {}

  /** oci.go validateRegistryScopes, over all statements. */
  private void registryScopes(TrustPolicyDocument document) {
    Map<String, String> firstUse = new HashMap<>();
    for (TrustPolicyStatement statement : document.statements()) {
      String scopes = field(statement.pointer(), "registryScopes");
      String who = quoted(statement);
      List<String> values = statement.registryScopes();
      // notation.scopeEmpty — zero registry scopes.
      if (values.isEmpty()) {
        findings.error("notation.scopeEmpty", scopes, "statement " + who
            + " has no registry scopes; add \"registryScopes\" such as [\"registry.example.com/team/app\"] or [\"*\"]");
      }
      // notation.scopeWildcard — '*' combined with other scopes.
      if (values.size() > 1 && values.contains(WILDCARD)) {
        findings.error("notation.scopeWildcard", JsonPointers.child(scopes, values.indexOf(WILDCARD)), "statement " + who
            + " combines the global scope \"*\" with other scopes; use \"*\" alone or list repositories only");
      }
      // Spec-only rule: the Notary Project trust policy specification (signatureVerification
      // details, "skip") says skip cannot be used with the global scope; notation-go accepts it.
      if (statement.level().equals("skip") && values.contains(WILDCARD)) {
        findings.warning("notation.skipGlobalScope", JsonPointers.child(scopes, values.indexOf(WILDCARD)), "statement "
            + who + " skips verification for every artifact (\"*\"); notation accepts this but the Notary Project "
            + "specification forbids skip with the global scope; list the unsigned repositories instead");
      }
      for (int i = 0; i < values.size(); i++) {
        String scope = values.get(i);
        String at = JsonPointers.child(scopes, i);
        if (!scope.equals(WILDCARD)) {
          scopeFormat(who, scope, at);
        }
        // notation.scopeDuplicate — registryScopeCount > 1, document-wide (so also inside one statement).
        String earlier = firstUse.putIfAbsent(scope, at);
        if (earlier != null) {
          findings.error("notation.scopeDuplicate", at, "the registry scope \"" + scope + "\" is already listed at "
              + earlier + "; a scope may appear in only one statement, once");
        }
      }
    }
  }

  /** Whether notation accepts {@code scope} as the registry scope of one repository (not "*"). */
  static boolean isRepositoryScope(String scope) {
    return !scope.contains(WILDCARD) && SCOPE.matcher(scope).matches();
  }

  /** oci.go validateRegistryScopeFormat. */
  private void scopeFormat(String who, String scope, String at) {
    if (scope.length() > 1 && scope.contains(WILDCARD)) {
      // notation.scopeWildcardInside — a '*' inside a scope: no pattern matching in registry scopes.
      findings.error("notation.scopeWildcardInside", at, "statement " + who + " has the registry scope \"" + scope
          + "\" with a wildcard; scopes are exact repositories (domain/repository), or \"*\" alone");
      return;
    }
    // notation.scopeFormat — domain/repository, lowercase repository, no scheme, tag or digest.
    if (!SCOPE.matcher(scope).matches()) {
      findings.error("notation.scopeFormat", at, "statement " + who + " has the registry scope \"" + scope
          + "\", which is not a fully qualified repository; write domain[:port]/repository with a lowercase repository "
          + "and no scheme, tag or digest, e.g. \"registry.example.com/team/app\"");
    }
  }

  private String field(String objectPointer, String field) {
    return TrustPolicyDecoder.fieldPointer(json, objectPointer, field);
  }

  private static String quoted(TrustPolicyStatement statement) {
    return statement.name().isEmpty() ? "at " + statement.pointer() : "\"" + statement.name() + "\"";
  }
}
