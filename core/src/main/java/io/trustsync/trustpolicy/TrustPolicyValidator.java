package io.trustsync.trustpolicy;

import io.trustsync.json.GoKeys;

import io.trustsync.json.JsonDocument;
import io.trustsync.json.JsonDocumentParser;
import io.trustsync.repository.RepoFile;
import io.trustsync.findings.Finding;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates one trust policy file: JSON syntax, the schema.* rules, the published JSON Schema, and
 * the notation.* rules (notation-go's verdict, every problem reported).
 */
public final class TrustPolicyValidator {
  /** The findings, sorted, and the document as notation-go decodes it (null when it cannot). */
  public record Result(List<Finding> findings, TrustPolicyDocument document) {
    public Result {
      findings = List.copyOf(findings);
    }

    public boolean hasErrors() {
      return findings.stream().anyMatch(Finding::isError);
    }
  }

  private TrustPolicyValidator() {}

  /**
   * Whether notation accepts {@code scope} as a registry scope naming one repository
   * ({@code domain[:port]/repository}, lowercase repository, no scheme, tag, digest or wildcard).
   */
  public static boolean isRepositoryScope(String scope) {
    return NotationRules.isRepositoryScope(scope);
  }

  public static Result validate(RepoFile file) {
    JsonDocument json;
    switch (JsonDocumentParser.parse(file.path(), file.content())) {
      case JsonDocumentParser.Failed failed -> {
        return new Result(List.of(failed.finding()), null);
      }
      case JsonDocumentParser.Parsed parsed -> json = parsed.document();
    }
    Findings findings = new Findings(json);
    for (JsonDocument.DuplicateKey duplicate : json.duplicateKeys()) {
      // schema.duplicateKey — encoding/json decodes every occurrence in turn (GoDecoding).
      findings.keyError("schema.duplicateKey", duplicate.pointer(), "the key '" + lastSegment(duplicate.pointer())
          + "' appears again (first at line " + duplicate.first().line() + "); notation-go decodes both, the later"
          + " one merging into or replacing the earlier, and other tools may keep only one; remove one of them");
    }
    TrustPolicyDecoder.Decoded decoded = TrustPolicyDecoder.decode(json, findings);
    NotationRules.check(decoded.document(), json, findings);
    for (TrustPolicySchema.Violation violation : TrustPolicySchema.validate(json.root())) {
      // schema.jsonSchema — the published schema; kept only where no dedicated rule spoke (below).
      findings.error("schema.jsonSchema", violation.pointer(),
          "does not match the published trust policy schema (docs/schema/trustpolicy.schema.json): " + violation.message());
    }
    List<Finding> all = onePerProblem(findings.list());
    return new Result(all, decoded.decodable() ? decoded.document() : null);
  }

  /**
   * Keeps one finding per problem. A value of the wrong type (schema.type) explains everything the
   * other rules say at or below it; a dedicated rule explains a JSON Schema violation at, above or
   * below the same place better than the schema's generic message.
   */
  static List<Finding> onePerProblem(List<Finding> findings) {
    List<Finding> typed = findings.stream().filter(f -> f.ruleId().equals("schema.type")).toList();
    List<Finding> dedicated = findings.stream().filter(f -> !f.ruleId().equals("schema.jsonSchema")).toList();
    List<Finding> kept = new ArrayList<>();
    for (Finding finding : findings) {
      boolean explained = switch (finding.ruleId()) {
        case "schema.type", "schema.duplicateKey" -> false;
        case "schema.jsonSchema" -> typed.stream().anyMatch(t -> isAtOrBelow(finding.pointer(), t.pointer()))
            || dedicated.stream().anyMatch(d -> related(finding.pointer(), d.pointer()));
        default -> typed.stream().anyMatch(t -> isAtOrBelow(finding.pointer(), t.pointer()));
      };
      if (!explained) {
        kept.add(finding);
      }
    }
    kept.sort(Finding.ORDER);
    return kept;
  }

  /**
   * Compared ignoring case as Go does, so a key written as "Version" (schema.unknownProperty)
   * explains the schema's "required property 'version' not found".
   */
  private static boolean related(String a, String b) {
    String foldedA = GoKeys.fold(a);
    String foldedB = GoKeys.fold(b);
    return isAtOrBelow(foldedA, foldedB) || isAtOrBelow(foldedB, foldedA);
  }

  private static boolean isAtOrBelow(String pointer, String ancestor) {
    return pointer.equals(ancestor) || pointer.startsWith(ancestor + "/");
  }

  private static String lastSegment(String pointer) {
    return pointer.substring(pointer.lastIndexOf('/') + 1).replace("~1", "/").replace("~0", "~");
  }
}
