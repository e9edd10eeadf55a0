package io.trustsync.trustpolicy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Trust policies that repeat keys, each exercising one part of how Go's encoding/json decodes
 * repeats. Shared by GoDecodingTest (what TrustSync decodes) and the notation-check differential
 * test (that notation-go decodes the same).
 */
public final class RepeatedKeyDocuments {
  private RepeatedKeyDocuments() {}

  private static final String A = statement("a", "r.example/a");
  private static final String B = statement("b", "r.example/b");
  private static final String C = statement("c", "r.example/c");

  static String statement(String name, String scope) {
    return "{\"name\": \"" + name + "\", \"registryScopes\": [\"" + scope + "\"], \"signatureVerification\": {\"level\": \"strict\"},"
        + " \"trustStores\": [\"ca:" + name + "\"], \"trustedIdentities\": [\"*\"]}";
  }

  private static String document(String statements) {
    return "{\"version\": \"1.0\", " + statements + "}";
  }

  /** Name to document, in a stable order. */
  public static Map<String, String> all() {
    Map<String, String> documents = new LinkedHashMap<>();
    documents.put("objects-merge", document("""
        "trustPolicies": [{"name": "a", "registryScopes": ["r.example/a"],
          "signatureVerification": {"level": "strict"},
          "signatureVerification": {"override": {"revocation": "log"}},
          "trustStores": ["ca:a"], "trustedIdentities": ["*"]}]"""));
    documents.put("later-null", document("""
        "trustPolicies": [{"name": "a", "name": null, "registryScopes": ["r.example/a"],
          "signatureVerification": {"level": "audit"}, "signatureVerification": null,
          "trustStores": ["ca:a"], "trustStores": null, "trustedIdentities": ["*"]}]"""));
    documents.put("statements-merge-by-index", document("\"trustPolicies\": [" + A + ", " + B + "], \"trustPolicies\": [{\"name\": \"c\"}]"));
    documents.put("statements-reuse-backing", document("\"trustPolicies\": [" + A + ", " + B + ", " + C + "],"
        + " \"trustPolicies\": [{\"name\": \"x\"}], \"trustPolicies\": [{\"name\": \"y\"}, {\"name\": \"z\"}, {}, {}]"));
    documents.put("strings-reuse-backing", document("""
        "trustPolicies": [{"name": "a", "signatureVerification": {"level": "strict"}, "trustStores": ["ca:a"], "trustedIdentities": ["*"],
          "registryScopes": ["r.example/a", "r.example/b", "r.example/c"], "registryScopes": ["r.example/x"],
          "registryScopes": ["r.example/y", null, null, null]}]"""));
    documents.put("empty-array-drops-backing", document("""
        "trustPolicies": [{"name": "a", "signatureVerification": {"level": "strict"}, "trustStores": ["ca:a"], "trustedIdentities": ["*"],
          "registryScopes": ["r.example/a", "r.example/b"], "registryScopes": [], "registryScopes": ["r.example/y", null]}]"""));
    documents.put("maps-merge", document("""
        "trustPolicies": [{"name": "a", "registryScopes": ["r.example/a"], "trustStores": ["ca:a"], "trustedIdentities": ["*"],
          "signatureVerification": {"level": "strict", "override": {"revocation": "log"}, "override": {"expiry": "log", "authenticity": null}}},
          {"name": "b", "registryScopes": ["r.example/b"], "trustStores": ["ca:b"], "trustedIdentities": ["*"],
          "signatureVerification": {"level": "strict", "override": {"expiry": "log"}, "override": null, "override": {"revocation": "skip"}}}]"""));
    documents.put("keys-differing-in-case", document("""
        "trustPolicies": [{"name": "a", "Name": "b", "registryScopes": ["r.example/a"], "RegistryScopes": ["r.example/b"],
          "SignatureVerification": {"level": "strict"}, "signatureverification": {"verifyTimestamp": "afterCertExpiry"},
          "trustStores": ["ca:a", "ca:b"], "TRUSTSTORES": ["ca:c"], "trustedIdentities": ["*"]}]"""));
    documents.put("earlier-wrong-type", document("""
        "trustPolicies": [{"name": 5, "name": "a", "registryScopes": ["r.example/a"], "signatureVerification": {"level": "strict"},
          "trustStores": ["ca:a"], "trustedIdentities": ["*"]}]"""));
    // Growing the backing array copies every element it held, so elements come back even past
    // the point where the array had to grow.
    String seventy = IntStream.range(0, 70).mapToObj(i -> "\"r.example/s" + i + "\"").collect(Collectors.joining(", "));
    String nulls = IntStream.range(0, 75).mapToObj(i -> i == 0 ? "\"r.example/first\"" : "null").collect(Collectors.joining(", "));
    documents.put("strings-regrow", document(
        "\"trustPolicies\": [{\"name\": \"a\", \"signatureVerification\": {\"level\": \"strict\"}, \"trustStores\": [\"ca:a\"],"
            + " \"trustedIdentities\": [\"*\"], \"registryScopes\": [" + seventy + "], \"registryScopes\": [\"r.example/x\", \"r.example/y\"],"
            + " \"registryScopes\": [" + nulls + "]}]"));
    String seventeen = IntStream.range(0, 17).mapToObj(i -> statement("s" + i, "r.example/s" + i)).collect(Collectors.joining(", "));
    String twenty = IntStream.range(0, 20).mapToObj(i -> "{}").collect(Collectors.joining(", "));
    documents.put("statements-regrow", document(
        "\"trustPolicies\": [" + seventeen + "], \"trustPolicies\": [{}], \"trustPolicies\": [" + twenty + "]"));
    return documents;
  }
}
