package io.trustsync.validation;

import io.trustsync.findings.EditDistance;
import io.trustsync.findings.Severity;
import io.trustsync.findings.Finding;
import io.trustsync.json.JsonDocument;
import io.trustsync.json.JsonDocumentParser;
import io.trustsync.json.Position;
import io.trustsync.repository.EnvironmentDirectory;
import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.TrustStoreDirectory;
import io.trustsync.trustpolicy.IdentityMatch;
import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.repository.StoreType;
import io.trustsync.truststore.TrustedCertificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/** The {@code repo.*} rules: references between trust policies and trust stores. */
final class CrossReferences {
  private CrossReferences() {}

  static List<Finding> check(
      PolicyRepository repository, Map<String, TrustPolicyDocument> policies, Map<TrustStoreDirectory, LoadedTrustStore> loaded) {
    List<Finding> findings = new ArrayList<>();
    Set<TrustStoreDirectory> used = new HashSet<>();
    for (EnvironmentDirectory environment : repository.environments()) {
      Map<String, TrustStoreDirectory> visible = visibleStores(repository, environment, findings);
      TrustPolicyDocument policy = policies.get(environment.name());
      if (policy == null) {
        continue;
      }
      Positions positions = new Positions(environment);
      for (TrustPolicyStatement statement : policy.statements()) {
        List<LoadedTrustStore> statementStores = new ArrayList<>();
        for (int i = 0; i < statement.trustStores().size(); i++) {
          String reference = statement.trustStores().get(i);
          if (!wellFormed(reference)) {
            continue; // notation.trustStore* already reports it
          }
          TrustStoreDirectory store = visible.get(reference);
          if (store != null) {
            used.add(store);
            Optional.ofNullable(loaded.get(store)).ifPresent(statementStores::add);
            continue;
          }
          String pointer = statement.pointer() + "/trustStores/" + i;
          Position at = positions.of(pointer);
          findings.add(new Finding("repo.unknownStore", Severity.ERROR, policy.file(), pointer, at.line(), at.column(),
              "statement '" + statement.name() + "' references trust store '" + reference + "', which does not exist for environment '"
                  + environment.name() + "'" + suggestion(reference, visible, repository, environment)));
        }
        findings.addAll(unissuableIdentities(policy, statement, statementStores, positions));
      }
    }
    for (TrustStoreDirectory store : allStores(repository)) {
      if (!used.contains(store)) {
        findings.add(Finding.warning("repo.unusedStore", store.path(),
            "no trust policy statement references '" + store.reference() + "'"
                + (store.shared() ? " in any environment" : " in environment '" + store.environment() + "'")
                + "; it is not rendered into any cluster — reference it from a statement or delete it"));
      }
    }
    return findings;
  }

  /** The stores one environment's policy references, each once, in first-reference order. */
  static List<TrustStoreDirectory> referencedStores(PolicyRepository repository, EnvironmentDirectory environment, TrustPolicyDocument policy) {
    Map<String, TrustStoreDirectory> visible = visibleStores(repository, environment, new ArrayList<>());
    Map<String, TrustStoreDirectory> referenced = new LinkedHashMap<>();
    for (TrustPolicyStatement statement : policy.statements()) {
      for (String reference : statement.trustStores()) {
        TrustStoreDirectory store = visible.get(reference);
        if (store != null) {
          referenced.putIfAbsent(reference, store);
        }
      }
    }
    return List.copyOf(referenced.values());
  }

  /** Shared stores plus the environment's own; a name defined in both is a clash (an error). */
  private static Map<String, TrustStoreDirectory> visibleStores(
      PolicyRepository repository, EnvironmentDirectory environment, List<Finding> findings) {
    Map<String, TrustStoreDirectory> visible = new LinkedHashMap<>();
    for (TrustStoreDirectory store : repository.sharedStores()) {
      visible.put(store.reference(), store);
    }
    for (TrustStoreDirectory store : environment.stores()) {
      TrustStoreDirectory shared = visible.put(store.reference(), store);
      if (shared != null) {
        findings.add(Finding.error("repo.storeClash", store.path(),
            "trust store '" + store.reference() + "' is defined both here and as the shared store " + shared.path()
                + "; notation would see only one of them — rename one or delete the duplicate"));
      }
    }
    return visible;
  }

  private static String suggestion(
      String reference, Map<String, TrustStoreDirectory> visible, PolicyRepository repository, EnvironmentDirectory environment) {
    String wantedName = reference.substring(reference.indexOf(':') + 1);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : visible.keySet()) {
      int distance = candidate.equalsIgnoreCase(reference) ? 0 : EditDistance.between(candidate.toLowerCase(Locale.ROOT), reference.toLowerCase(Locale.ROOT));
      String candidateName = candidate.substring(candidate.indexOf(':') + 1);
      if (candidateName.equals(wantedName)) {
        distance = Math.min(distance, 1); // same name, other type
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        best = candidate;
      }
    }
    if (best != null && bestDistance <= Math.max(2, reference.length() / 4)) {
      TrustStoreDirectory store = visible.get(best);
      String caseNote = best.equalsIgnoreCase(reference) ? " (store names are case-sensitive)" : "";
      return "; did you mean '" + best + "' (" + store.path() + ")" + caseNote + "? Fix the reference in the policy or rename the folder so both spell it the same way";
    }
    for (EnvironmentDirectory other : repository.environments()) {
      for (TrustStoreDirectory store : other.stores()) {
        if (other != environment && store.reference().equals(reference)) {
          return "; it exists only in environment '" + other.name() + "' (" + store.path()
              + "): move it to the shared truststore/ folder or add it to " + environment.path() + "/truststore/";
        }
      }
    }
    String type = reference.substring(0, reference.indexOf(':'));
    return "; create the folder " + (environment.path().equals(".") ? "" : environment.path() + "/") + "truststore/x509/" + type + "/" + wantedName
        + "/ (or the shared truststore/x509/" + type + "/" + wantedName + "/) with its certificates";
  }

  /**
   * repo.identityUnissuable (warning): when every certificate in a statement's stores is a
   * self-signed signing certificate (signingAuthority style), the signer IS one of them, so an
   * x509.subject identity that matches none of their subjects can never verify. For CA stores
   * any subject could be issued, so nothing is claimed.
   */
  private static List<Finding> unissuableIdentities(
      TrustPolicyDocument policy, TrustPolicyStatement statement, List<LoadedTrustStore> stores, Positions positions) {
    List<Map<String, String>> leafSubjects = new ArrayList<>();
    for (LoadedTrustStore store : stores) {
      for (TrustedCertificate certificate : store.certificates()) {
        X509Certificate x509 = certificate.certificate();
        if (x509.getBasicConstraints() >= 0 || store.directory().type() == StoreType.TSA) {
          return List.of();
        }
        Map<String, String> subject = IdentityMatch.attributes(x509.getSubjectX500Principal().getName(X500Principal.RFC2253));
        if (subject == null) {
          return List.of();
        }
        leafSubjects.add(subject);
      }
    }
    if (leafSubjects.isEmpty()) {
      return List.of();
    }
    List<Finding> findings = new ArrayList<>();
    for (int i = 0; i < statement.trustedIdentities().size(); i++) {
      String identity = statement.trustedIdentities().get(i);
      Map<String, String> wanted = IdentityMatch.wanted(identity);
      if (wanted == null || leafSubjects.stream().anyMatch(s -> IdentityMatch.matches(wanted, s))) {
        continue;
      }
      String pointer = statement.pointer() + "/trustedIdentities/" + i;
      Position at = positions.of(pointer);
      findings.add(new Finding("repo.identityUnissuable", Severity.WARNING, policy.file(), pointer, at.line(), at.column(),
          "trusted identity '" + identity + "' matches none of the signing certificates in " + statement.trustStores()
              + ", which are self-signed leaves, so no signature can satisfy it; copy the subject of the signing certificate exactly"));
    }
    return findings;
  }

  private static List<TrustStoreDirectory> allStores(PolicyRepository repository) {
    List<TrustStoreDirectory> all = new ArrayList<>(repository.sharedStores());
    repository.environments().forEach(e -> all.addAll(e.stores()));
    return all;
  }

  private static boolean wellFormed(String reference) {
    int colon = reference.indexOf(':');
    return colon > 0 && StoreType.of(reference.substring(0, colon)).isPresent();
  }

  /** Positions inside the environment's policy file, parsed only when a finding needs one. */
  private static final class Positions {
    private final EnvironmentDirectory environment;
    private JsonDocument document;

    Positions(EnvironmentDirectory environment) {
      this.environment = environment;
    }

    Position of(String pointer) {
      if (document == null && environment.trustPolicy() != null
          && JsonDocumentParser.parse(environment.trustPolicy().path(), environment.trustPolicy().content())
              instanceof JsonDocumentParser.Parsed parsed) {
        document = parsed.document();
      }
      return document == null ? Position.UNKNOWN : document.positionOf(pointer);
    }
  }
}
