package io.trustsync.findings;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every rule id the gate can report, with its default severity: what {@code .trustsync.yaml} may
 * name. {@code RuleCatalogTest} keeps it equal to the rule ids in the sources and to the tables in
 * {@code docs/rules/}, so a new rule cannot ship undocumented.
 */
public final class RuleCatalog {
  private static final Map<String, Severity> RULES = new TreeMap<>(Map.ofEntries(
      Map.entry("notation.duplicateStatementName", Severity.ERROR),
      Map.entry("notation.identityDn", Severity.ERROR),
      Map.entry("notation.identityEmpty", Severity.ERROR),
      Map.entry("notation.identityOverlap", Severity.ERROR),
      Map.entry("notation.identityPrefix", Severity.WARNING),
      Map.entry("notation.identitySeparator", Severity.ERROR),
      Map.entry("notation.identityWildcard", Severity.ERROR),
      Map.entry("notation.level", Severity.ERROR),
      Map.entry("notation.missingTrust", Severity.ERROR),
      Map.entry("notation.noStatements", Severity.ERROR),
      Map.entry("notation.override", Severity.ERROR),
      Map.entry("notation.overrideIntegrity", Severity.ERROR),
      Map.entry("notation.overrideSkip", Severity.ERROR),
      Map.entry("notation.overrideWithSkip", Severity.ERROR),
      Map.entry("notation.scopeDuplicate", Severity.ERROR),
      Map.entry("notation.scopeEmpty", Severity.ERROR),
      Map.entry("notation.scopeFormat", Severity.ERROR),
      Map.entry("notation.scopeWildcard", Severity.ERROR),
      Map.entry("notation.scopeWildcardInside", Severity.ERROR),
      Map.entry("notation.skipGlobalScope", Severity.WARNING),
      Map.entry("notation.skipWithTrust", Severity.ERROR),
      Map.entry("notation.statementName", Severity.ERROR),
      Map.entry("notation.trustStoreFormat", Severity.ERROR),
      Map.entry("notation.trustStoreName", Severity.ERROR),
      Map.entry("notation.trustStoreType", Severity.ERROR),
      Map.entry("notation.verifyTimestamp", Severity.ERROR),
      Map.entry("notation.version", Severity.ERROR),
      Map.entry("repo.environmentName", Severity.ERROR),
      Map.entry("repo.identityUnissuable", Severity.WARNING),
      Map.entry("repo.missingPolicy", Severity.ERROR),
      Map.entry("repo.noEnvironments", Severity.ERROR),
      Map.entry("repo.notRegularFile", Severity.ERROR),
      Map.entry("repo.oversizedFile", Severity.ERROR),
      Map.entry("repo.pathEscape", Severity.ERROR),
      Map.entry("repo.shadowedPolicy", Severity.WARNING),
      Map.entry("repo.storeClash", Severity.ERROR),
      Map.entry("repo.symlink", Severity.ERROR),
      Map.entry("repo.tooManyFiles", Severity.ERROR),
      Map.entry("repo.unknownStore", Severity.ERROR),
      Map.entry("repo.unusedStore", Severity.WARNING),
      Map.entry("schema.bom", Severity.ERROR),
      Map.entry("schema.depth", Severity.ERROR),
      Map.entry("schema.duplicateKey", Severity.ERROR),
      Map.entry("schema.encoding", Severity.ERROR),
      Map.entry("schema.jsonSchema", Severity.ERROR),
      Map.entry("schema.syntax", Severity.ERROR),
      Map.entry("schema.type", Severity.ERROR),
      Map.entry("schema.unknownProperty", Severity.ERROR),
      Map.entry("signer.expected.empty", Severity.ERROR),
      Map.entry("signer.expected.fileName", Severity.ERROR),
      Map.entry("signer.expected.identity", Severity.ERROR),
      Map.entry("signer.expected.invalid", Severity.ERROR),
      Map.entry("signer.expected.overlap", Severity.WARNING),
      Map.entry("signer.expected.pattern", Severity.ERROR),
      Map.entry("signer.expected.uncovered", Severity.ERROR),
      Map.entry("signer.expected.unknownIdentity", Severity.ERROR),
      Map.entry("signer.expected.unknownKey", Severity.ERROR),
      Map.entry("signer.expected.unknownSigner", Severity.ERROR),
      Map.entry("signer.identityUnsatisfied", Severity.ERROR),
      Map.entry("signer.notCertificate", Severity.ERROR),
      Map.entry("signer.notLeaf", Severity.WARNING),
      Map.entry("signer.strayFile", Severity.ERROR),
      Map.entry("signer.subdirectory", Severity.ERROR),
      Map.entry("signer.untrusted", Severity.WARNING),
      Map.entry("store.basicConstraints", Severity.WARNING),
      Map.entry("store.duplicateCertificate", Severity.WARNING),
      Map.entry("store.empty", Severity.ERROR),
      Map.entry("store.expired", Severity.WARNING),
      Map.entry("store.expiringSoon", Severity.WARNING),
      Map.entry("store.extendedKeyUsage", Severity.WARNING),
      Map.entry("store.invalidName", Severity.ERROR),
      Map.entry("store.keyUsage", Severity.ERROR),
      Map.entry("store.notCaOrSelfSigned", Severity.ERROR),
      Map.entry("store.notCertificate", Severity.ERROR),
      Map.entry("store.notYetValid", Severity.WARNING),
      Map.entry("store.sha1Signature", Severity.ERROR),
      Map.entry("store.strayFile", Severity.ERROR),
      Map.entry("store.subdirectory", Severity.ERROR),
      Map.entry("store.truncatedPem", Severity.WARNING),
      Map.entry("store.tsaNotRoot", Severity.ERROR),
      Map.entry("store.unknownType", Severity.ERROR),
      Map.entry("store.weakKey", Severity.ERROR)));

  private RuleCatalog() {}

  public static Set<String> ids() {
    return RULES.keySet();
  }

  /** A rule's documentation: what it checks, how to fix it, and its page under docs/rules/. */
  public record Doc(String checks, String fix, String page) {}

  private static volatile Map<String, Doc> docs;

  /**
   * The documentation of {@code id} from the rule pages bundled with the jar (docs/rules/*.md,
   * the tables whose first column is the rule id); null when the page does not describe it.
   */
  public static Doc doc(String id) {
    Map<String, Doc> loaded = docs;
    if (loaded == null) {
      loaded = loadDocs();
      docs = loaded;
    }
    return loaded.get(id);
  }

  private static Map<String, Doc> loadDocs() {
    Map<String, Doc> result = new TreeMap<>();
    for (String page : java.util.List.of("trustpolicy.md", "truststore.md", "repository.md", "signers.md", "rendering.md")) {
      try (var in = RuleCatalog.class.getResourceAsStream("rules/" + page)) {
        if (in == null) {
          continue;
        }
        for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
          if (!line.startsWith("| `")) {
            continue;
          }
          String[] cells = line.split("(?<!\\\\)\\|");
          // | `id` | severity | checks | (upstream |) fix |
          if (cells.length < 5) {
            continue;
          }
          String id = cells[1].strip().replace("`", "");
          String checks = cells[cells.length > 5 ? 3 : 3].strip();
          String fix = cells[cells.length - 1].strip();
          result.putIfAbsent(id, new Doc(checks, fix, "docs/rules/" + page));
        }
      } catch (java.io.IOException e) {
        // documentation is a nicety of the report; the gate works without it
      }
    }
    return result;
  }

  /** The rule's severity when no configuration changes it; null for an unknown id. */
  public static Severity defaultSeverity(String id) {
    return RULES.get(id);
  }
}
