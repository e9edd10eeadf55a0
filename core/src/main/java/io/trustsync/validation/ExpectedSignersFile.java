package io.trustsync.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustsync.findings.EditDistance;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import io.trustsync.json.JsonDocument;
import io.trustsync.json.JsonDocumentParser;
import io.trustsync.json.JsonPointers;
import io.trustsync.json.Position;
import io.trustsync.json.YamlDocumentParser;
import io.trustsync.repository.RepoFile;
import io.trustsync.trustpolicy.DistinguishedName;
import io.trustsync.trustpolicy.IdentityMatch;
import io.trustsync.trustpolicy.TrustPolicyValidator;
import io.trustsync.validation.ExpectedSigners.ExpectedIdentity;
import io.trustsync.validation.ExpectedSigners.RepositoryPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@code environments/<env>/expected-signers.yaml} into its entries, reporting every problem
 * of its syntax and shape ({@code signer.expected.invalid}, {@code .unknownKey}, {@code .empty},
 * {@code .pattern}, {@code .identity}) at its line and column. What the entries say about the trust
 * policy and the signers is {@link ExpectedSignerRules}' business. Never throws.
 *
 * <pre>
 * expectedSigners:
 * - repositories: [acme.azurecr.io/storefront/*]
 *   identities: ["x509.subject: C=US, ST=WA, O=Acme, OU=Storefront, CN=Storefront Release"]
 *   signers: [signers/storefront/release.pem]      # optional, instead of or besides identities
 * </pre>
 */
final class ExpectedSignersFile {
  static final String ROOT_KEY = "expectedSigners";
  static final String REPOSITORIES = "repositories";
  static final String IDENTITIES = "identities";
  static final String SIGNERS = "signers";
  private static final List<String> ENTRY_KEYS = List.of(REPOSITORIES, IDENTITIES, SIGNERS);
  private static final String FORMAT = "see docs/rules/signers.md, \"Expected signers\", for the format";

  /** A {@code signers:} item: a signer file, by its path from the repository root. */
  record SignerReference(String path, String pointer) {}

  /** An entry as written: identities parsed, signer references not yet resolved. */
  record DraftEntry(String pointer, List<RepositoryPattern> repositories, List<ExpectedIdentity> identities, List<SignerReference> signers) {}

  /** The file's entries (those whose shape is right) and where everything sits in it; {@code json} is null when it is not YAML. */
  record Draft(String file, JsonDocument json, List<DraftEntry> entries) {
    Position positionOf(String pointer) {
      return json == null ? Position.UNKNOWN : json.positionOf(pointer);
    }
  }

  private final String file;
  private final JsonDocument json;
  private final List<Finding> findings;

  private ExpectedSignersFile(String file, JsonDocument json, List<Finding> findings) {
    this.file = file;
    this.json = json;
    this.findings = findings;
  }

  static Draft read(RepoFile source, List<Finding> findings) {
    JsonDocument json;
    switch (YamlDocumentParser.parse(source.path(), source.content(), "signer.expected.invalid", FORMAT)) {
      case JsonDocumentParser.Failed failed -> {
        findings.add(failed.finding());
        return new Draft(source.path(), null, List.of());
      }
      case JsonDocumentParser.Parsed parsed -> json = parsed.document();
    }
    ExpectedSignersFile reader = new ExpectedSignersFile(source.path(), json, findings);
    return new Draft(source.path(), json, reader.document());
  }

  private List<DraftEntry> document() {
    for (JsonDocument.DuplicateKey duplicate : json.duplicateKeys()) {
      keyError("signer.expected.invalid", duplicate.pointer(), "the key '" + lastSegment(duplicate.pointer()) + "' appears again in the same mapping (first at line "
          + duplicate.first().line() + "); YAML keeps only the later one, so remove one of them");
    }
    JsonNode root = json.root();
    if (root.isMissingNode() || root.isNull()) {
      error("signer.expected.empty", "", "the file is empty; list the expected signers under " + ROOT_KEY + ": or delete the file");
      return List.of();
    }
    if (!root.isObject()) {
      error("signer.expected.invalid", "", "the file must be a mapping with the key " + ROOT_KEY + " (a list of repositories and their identities); " + FORMAT);
      return List.of();
    }
    boolean misspelt = unknownKeys(root, "", List.of(ROOT_KEY), "the file takes only " + ROOT_KEY);
    JsonNode list = root.get(ROOT_KEY);
    String pointer = JsonPointers.child("", ROOT_KEY);
    if (list == null) {
      if (misspelt) {
        return List.of(); // the unknown key is the problem to fix; "no expectedSigners" would say it twice
      }
      error("signer.expected.invalid", "", "the file has no " + ROOT_KEY + " list; add " + ROOT_KEY + ": with one entry per group of repositories, or delete the file");
      return List.of();
    }
    if (!list.isArray()) {
      error("signer.expected.invalid", pointer, ROOT_KEY + " must be a list of entries, each '- repositories: [...]' with identities: [...] or signers: [...]");
      return List.of();
    }
    if (list.isEmpty()) {
      error("signer.expected.empty", pointer, ROOT_KEY + " is empty; add an entry for the repositories whose signers you know, or delete the file");
      return List.of();
    }
    List<DraftEntry> entries = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      DraftEntry entry = entry(list.get(i), JsonPointers.child(pointer, i));
      if (entry != null) {
        entries.add(entry);
      }
    }
    return entries;
  }

  /** One entry, or null when it is not a mapping or names no usable repository. */
  private DraftEntry entry(JsonNode node, String pointer) {
    if (!node.isObject()) {
      error("signer.expected.invalid", pointer, "an entry must be a mapping with repositories: and identities: (or signers:), not " + describe(node));
      return null;
    }
    boolean misspelt = unknownKeys(node, pointer, ENTRY_KEYS, "an entry takes repositories, identities and signers");
    List<RepositoryPattern> repositories = new ArrayList<>();
    for (Item item : strings(node, pointer, REPOSITORIES, !misspelt, "acme.azurecr.io/storefront/web")) {
      String problem = patternProblem(item.value());
      if (problem == null) {
        repositories.add(new RepositoryPattern(item.value(), item.pointer()));
      } else {
        error("signer.expected.pattern", item.pointer(), "'" + item.value() + "' " + problem);
      }
    }
    List<ExpectedIdentity> identities = new ArrayList<>();
    for (Item item : strings(node, pointer, IDENTITIES, false, "x509.subject: C=US, ST=WA, O=Acme, CN=Release")) {
      String problem = identityProblem(item.value());
      if (problem == null) {
        identities.add(new ExpectedIdentity(item.value(), IdentityMatch.wanted(item.value()), null, item.pointer()));
      } else {
        error("signer.expected.identity", item.pointer(), "'" + item.value() + "' " + problem);
      }
    }
    List<SignerReference> signers = new ArrayList<>();
    for (Item item : strings(node, pointer, SIGNERS, false, "signers/storefront/release.pem")) {
      signers.add(new SignerReference(item.value(), item.pointer()));
    }
    if (!node.has(IDENTITIES) && !node.has(SIGNERS) && !misspelt) {
      error("signer.expected.empty", pointer, "the entry expects no one; add identities: [\"x509.subject: ...\"] (the subjects of the signing certificates)"
          + " or signers: [<signer certificate file>], or delete the entry");
    }
    return repositories.isEmpty() ? null : new DraftEntry(pointer, repositories, identities, signers);
  }

  private record Item(String value, String pointer) {}

  /** The strings of the list {@code key} of an entry; every problem with its shape reported. */
  private List<Item> strings(JsonNode entry, String entryPointer, String key, boolean required, String example) {
    JsonNode list = entry.get(key);
    String pointer = JsonPointers.child(entryPointer, key);
    List<Item> items = new ArrayList<>();
    if (list == null) {
      if (required) {
        error("signer.expected.invalid", entryPointer, "the entry has no " + key + "; add " + key + ": [\"" + example + "\"]");
      }
      return items;
    }
    if (list.isTextual()) {
      error("signer.expected.invalid", pointer, key + " must be a list, even of one; write " + key + ": [\"" + list.asText() + "\"]");
      return items;
    }
    if (!list.isArray()) {
      error("signer.expected.invalid", pointer, key + " must be a list of strings, e.g. " + key + ": [\"" + example + "\"], not " + describe(list));
      return items;
    }
    if (list.isEmpty()) {
      error("signer.expected.empty", pointer, key + " is empty; list at least one, e.g. " + key + ": [\"" + example + "\"], or remove the key");
      return items;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      String itemPointer = JsonPointers.child(pointer, i);
      if (item.isTextual()) {
        items.add(new Item(item.asText(), itemPointer));
      } else if (item.isObject() && item.size() == 1 && item.fieldNames().next().startsWith("x509.subject")) {
        // "- x509.subject: C=US, ..." unquoted: YAML reads a key and its value
        error("signer.expected.invalid", itemPointer, "YAML read this unquoted identity as a mapping (the ': ' after x509.subject makes a key);"
            + " quote it: - \"x509.subject: " + item.elements().next().asText() + "\"");
      } else {
        error("signer.expected.invalid", itemPointer, "each item of " + key + " must be a string; quote it, e.g. \"" + example + "\" (this is " + describe(item) + ")");
      }
    }
    return items;
  }

  /** Why {@code pattern} is not {@code registry/repository} or {@code registry/prefix/*}; null when it is one. */
  static String patternProblem(String pattern) {
    if (pattern.equals("*")) {
      return "is not a repository pattern: expectations are per registry; write registry/* for every repository of a registry,"
          + " or registry/prefix/* (e.g. acme.azurecr.io/storefront/*)";
    }
    String base = pattern.endsWith(RepositoryPattern.PREFIX_SUFFIX) ? pattern.substring(0, pattern.length() - 2) : pattern;
    if (base.contains("*")) {
      return "has a wildcard other than a final '/*'; write an exact registry/repository, or a prefix ending in '/*' such as acme.azurecr.io/storefront/*";
    }
    // a prefix's base is a registry or a repository; with "/x" appended, either is a repository scope
    boolean valid = base.equals(pattern) ? TrustPolicyValidator.isRepositoryScope(base) : TrustPolicyValidator.isRepositoryScope(base + "/x");
    if (!valid) {
      return "is not registry/repository or registry/prefix/*: write the registry host (with its port, if any) and a lowercase repository,"
          + " with no scheme, tag or digest, e.g. acme.azurecr.io/storefront/web or acme.azurecr.io/storefront/*";
    }
    return null;
  }

  /** Why {@code identity} is not one the audit can match; null when it is an {@code x509.subject:} identity notation accepts. */
  static String identityProblem(String identity) {
    if (identity.strip().equals(IdentityMatch.ANY)) {
      return "would expect any signer, which says nothing; name the identity (x509.subject: followed by the signing certificate's subject)"
          + " or remove the entry";
    }
    if (!identity.startsWith(IdentityMatch.X509_SUBJECT)) {
      return "is not an identity: write x509.subject: followed by the subject of the signing certificate, as in the trust policy's"
          + " trustedIdentities (e.g. \"x509.subject: C=US, ST=WA, O=Acme, CN=Release\")";
    }
    if (DistinguishedName.parse(identity.substring(IdentityMatch.X509_SUBJECT.length())) instanceof DistinguishedName.Invalid invalid) {
      return "cannot be matched: " + invalid.reason();
    }
    if (IdentityMatch.wanted(identity) == null) {
      return "cannot be matched: it is not an RFC 4514 distinguished name; write it like \"x509.subject: C=US, ST=WA, O=Acme, CN=Release\"";
    }
    return null;
  }

  /** Reports every key of {@code object} not in {@code known}; whether there was one. */
  private boolean unknownKeys(JsonNode object, String pointer, List<String> known, String which) {
    boolean any = false;
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      if (!known.contains(field.getKey())) {
        any = true;
        keyError("signer.expected.unknownKey", JsonPointers.child(pointer, field.getKey()),
            "unknown key '" + field.getKey() + "'" + suggestion(field.getKey(), known) + "; " + which);
      }
    }
    return any;
  }

  private static String suggestion(String given, List<String> known) {
    String best = null;
    int distance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = EditDistance.between(given.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < distance) {
        distance = d;
        best = candidate;
      }
    }
    return best != null && distance <= Math.max(2, given.length() / 4) ? " (did you mean '" + best + "'?)" : "";
  }

  private static String describe(JsonNode node) {
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isNull()) {
      return "empty (null)";
    }
    return node.isBoolean() ? "the boolean " + node.asText() : node.isNumber() ? "the number " + node.asText() : "'" + node.asText() + "'";
  }

  private static String lastSegment(String pointer) {
    return pointer.substring(pointer.lastIndexOf('/') + 1).replace("~1", "/").replace("~0", "~");
  }

  private void error(String rule, String pointer, String message) {
    Position at = json.positionOf(pointer);
    findings.add(new Finding(rule, Severity.ERROR, file, pointer, at.line(), at.column(), message));
  }

  private void keyError(String rule, String pointer, String message) {
    Position at = json.keyPositionOf(pointer);
    findings.add(new Finding(rule, Severity.ERROR, file, pointer, at.line(), at.column(), message));
  }
}
