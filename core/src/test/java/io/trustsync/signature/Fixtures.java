package io.trustsync.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.repository.RepoFile;
import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.trustpolicy.TrustPolicyValidator;
import io.trustsync.truststore.CertificateFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The envelopes, certificates, policies and notation verdicts under src/test/resources/signature/,
 * made by scripts/make-signature-fixtures.sh with the real notation CLI v1.3.2 (see the README there).
 */
final class Fixtures {
  static final JsonNode CASES = json("cases.json");
  /**
   * The time notation verified the cases at: every certificate but the short-lived one is valid
   * then, and the two --expiry 1s signatures have expired. Verification is asked "as of" this fixed
   * instant because the certificates of generate-test expire a year after the fixtures were made.
   */
  static final Instant NOW = Instant.parse(CASES.get("verifiedAt").asText());
  static final String REPOSITORY = CASES.get("registry").asText() + "/" + CASES.get("repository").asText();

  private Fixtures() {}

  /** One case of cases.json. */
  record Case(String name, List<SignatureBlob> signatures, String digest, String policy, boolean notationPassed,
      List<String> notationFailures, List<String> notationReasons, String notationOutput) {
    String reference() {
      return REPOSITORY + "@" + digest;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (JsonNode node : CASES.get("cases")) {
      List<SignatureBlob> signatures = new ArrayList<>();
      for (JsonNode envelope : node.get("envelopes")) {
        signatures.add(new SignatureBlob(envelope.get("mediaType").asText(), bytes("envelopes/" + envelope.get("file").asText())));
      }
      List<String> failures = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      for (JsonNode failure : node.get("notationFailures")) {
        failures.add(failure.get("check").asText() + (failure.get("enforced").asBoolean() ? " enforced" : " logged"));
        reasons.add(failure.get("reason").asText());
      }
      cases.add(new Case(node.get("case").asText(), signatures, node.get("digest").asText(), node.get("policy").asText(),
          node.get("notationPassed").asBoolean(), failures, reasons, node.get("notationOutput").asText()));
    }
    return cases;
  }

  static Case named(String name) {
    return cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  static TrustPolicyDocument policy(String name) {
    TrustPolicyValidator.Result result = TrustPolicyValidator.validate(new RepoFile("policies/" + name + ".json", bytes("policies/" + name + ".json")));
    if (result.hasErrors()) {
      throw new IllegalStateException("fixture policy " + name + " is invalid: " + result.findings());
    }
    return result.document();
  }

  /** The trust stores the script configured for notation, by policy reference. */
  static Map<String, List<X509Certificate>> stores() {
    Map<String, List<X509Certificate>> stores = new LinkedHashMap<>();
    stores.put("ca:teamA", certificates("certs/teamA.crt"));
    stores.put("ca:teamB", certificates("certs/teamB.crt"));
    stores.put("ca:acme-root", certificates("certs/acme-root.crt"));
    stores.put("signingAuthority:acme-root", certificates("certs/acme-root.crt"));
    stores.put("tsa:acme-root", certificates("certs/acme-root.crt"));
    return stores;
  }

  static List<X509Certificate> certificates(String path) {
    CertificateFile file = CertificateFile.read(new RepoFile(path, bytes(path)));
    if (file.unreadable() != null) {
      throw new IllegalStateException(path + ": " + file.unreadable());
    }
    return file.certificates();
  }

  static byte[] bytes(String path) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/signature/" + path)) {
      if (in == null) {
        throw new IllegalStateException("no fixture " + path + "; regenerate with scripts/make-signature-fixtures.sh");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode json(String path) {
    try {
      return new ObjectMapper().readTree(bytes(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
