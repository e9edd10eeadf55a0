package io.trustsync.validation;

import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import io.trustsync.repository.EnvironmentDirectory;
import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.RepoFile;
import io.trustsync.repository.StoreType;
import io.trustsync.repository.TrustStoreDirectory;
import io.trustsync.trustpolicy.IdentityMatch;
import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.trustpolicy.TrustedIdentities;
import io.trustsync.truststore.CertificateFile;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The signer rules ({@code signer.*}): with the leaf certificates teams sign with committed under
 * {@code signers/} (shared) or {@code environments/<env>/signers/}, every trusted identity of a
 * statement must be satisfied by a known signer whose chain reaches a store the statement trusts
 * (otherwise no signature of the team can ever verify: the seed tutorial's {@code OU=Finance} in
 * the policy and no OU in the certificate), and every known signer must be trusted by some
 * statement. Without a {@code signers/} folder nothing is checked.
 *
 * <p>A signer file holds the leaf first, then any intermediates; the chain is followed by issuer
 * name and signature to a certificate in a {@code ca} or {@code signingAuthority} store. An
 * identity matches exactly when notation-go's would ({@link TrustedIdentities}, shared with the
 * signature verifier): its attributes are a subset of the leaf's subject.
 */
final class SignerRules {
  private static final int MAX_CHAIN = 6;

  private SignerRules() {}

  /** A readable signer file: its leaf and the intermediates after it. */
  record Signer(RepoFile file, X509Certificate leaf, List<X509Certificate> intermediates, Map<String, String> subject) {
    String display() {
      return file.path() + " (" + leaf.getSubjectX500Principal().getName(X500Principal.RFC2253) + ")";
    }
  }

  static List<Finding> check(PolicyRepository repository, Map<String, TrustPolicyDocument> policies,
      Map<TrustStoreDirectory, LoadedTrustStore> loaded) {
    List<Finding> findings = new ArrayList<>();
    List<Signer> shared = read(repository.sharedSigners(), findings);
    Set<RepoFile> trustedSomewhere = new HashSet<>();
    List<Signer> all = new ArrayList<>(shared);
    for (EnvironmentDirectory environment : repository.environments()) {
      List<Signer> own = read(environment.signers(), findings);
      all.addAll(own);
      TrustPolicyDocument policy = policies.get(environment.name());
      List<Signer> known = new ArrayList<>(shared);
      known.addAll(own);
      if (policy == null || known.isEmpty()) {
        continue;
      }
      for (TrustPolicyStatement statement : policy.statements()) {
        if (statement.level().equals("skip")) {
          continue;
        }
        List<LoadedTrustStore> stores = stores(repository, environment, statement, loaded);
        List<Signer> chaining = known.stream().filter(s -> stores.stream().anyMatch(store -> chainsTo(s, store))).toList();
        boolean anyIdentity = statement.trustedIdentities().contains("*");
        for (Signer signer : chaining) {
          if (anyIdentity || statement.trustedIdentities().stream().anyMatch(identity -> matches(identity, signer))) {
            trustedSomewhere.add(signer.file());
          }
        }
        for (int i = 0; i < statement.trustedIdentities().size(); i++) {
          String identity = statement.trustedIdentities().get(i);
          Map<String, String> wanted = wanted(identity);
          if (wanted == null || chaining.stream().anyMatch(s -> matches(identity, s))) {
            continue;
          }
          findings.add(new Finding("signer.identityUnsatisfied", Severity.ERROR, policy.file(), statement.pointer() + "/trustedIdentities/" + i,
              0, 0, unsatisfied(statement, identity, wanted, chaining, known)));
        }
      }
    }
    for (Signer signer : all) {
      if (!trustedSomewhere.contains(signer.file())) {
        findings.add(Finding.warning("signer.untrusted", signer.file().path(),
            "signer " + signer.display() + " is trusted by no statement: no statement whose stores its chain reaches names an identity it has"
                + " (or \"*\"); add its identity to the statement for its repositories, or delete the file if the team no longer signs"));
      }
    }
    return findings;
  }

  private static String unsatisfied(TrustPolicyStatement statement, String identity, Map<String, String> wanted, List<Signer> chaining,
      List<Signer> known) {
    String where = "statement '" + statement.name() + "': trusted identity '" + identity + "' matches no known signer";
    if (chaining.isEmpty()) {
      return where + ": no signer certificate under signers/ chains to " + statement.trustStores() + " (" + known.size()
          + " known); commit the team's signing certificate (leaf first, then intermediates) under signers/, or fix trustStores";
    }
    Signer closest = null;
    List<String> closestDifferences = null;
    for (Signer signer : chaining) {
      List<String> differences = differences(wanted, signer.subject());
      if (closestDifferences == null || differences.size() < closestDifferences.size()) {
        closest = signer;
        closestDifferences = differences;
      }
    }
    return where + " that chains to " + statement.trustStores() + ", so no signature can satisfy it. Closest: " + closest.display() + ", where "
        + String.join("; ", closestDifferences) + ". Copy the subject of the signing certificate exactly";
  }

  private static List<String> differences(Map<String, String> wanted, Map<String, String> subject) {
    return IdentityMatch.differences(wanted, subject, "the policy", "the certificate");
  }

  private static Map<String, String> wanted(String identity) {
    return IdentityMatch.wanted(identity);
  }

  /** notation-go's own match (TrustedIdentities), which the signature verifier uses too. */
  private static boolean matches(String identity, Signer signer) {
    return TrustedIdentities.matches(identity, signer.leaf());
  }

  static List<LoadedTrustStore> stores(PolicyRepository repository, EnvironmentDirectory environment, TrustPolicyStatement statement,
      Map<TrustStoreDirectory, LoadedTrustStore> loaded) {
    List<LoadedTrustStore> stores = new ArrayList<>();
    List<TrustStoreDirectory> candidates = new ArrayList<>(repository.sharedStores());
    candidates.addAll(environment.stores());
    for (TrustStoreDirectory directory : candidates) {
      if (directory.type() != StoreType.TSA && statement.trustStores().contains(directory.reference()) && loaded.get(directory) != null) {
        stores.add(loaded.get(directory));
      }
    }
    return stores;
  }

  /** Whether the signer's chain (leaf, then its intermediates) reaches a certificate of the store, by issuer name and signature. */
  static boolean chainsTo(Signer signer, LoadedTrustStore store) {
    X509Certificate current = signer.leaf();
    for (int depth = 0; depth < MAX_CHAIN; depth++) {
      for (TrustedCertificate anchor : store.certificates()) {
        if (current.equals(anchor.certificate()) || signedBy(current, anchor.certificate())) {
          return true;
        }
      }
      X509Certificate next = null;
      for (X509Certificate intermediate : signer.intermediates()) {
        if (!intermediate.equals(current) && signedBy(current, intermediate)) {
          next = intermediate;
          break;
        }
      }
      if (next == null) {
        return false;
      }
      current = next;
    }
    return false;
  }

  private static boolean signedBy(X509Certificate child, X509Certificate issuer) {
    if (!child.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      child.verify(issuer.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static List<Signer> read(List<RepoFile> files, List<Finding> findings) {
    List<Signer> signers = new ArrayList<>();
    for (RepoFile file : files) {
      CertificateFile read = CertificateFile.read(file);
      if (read.unreadable() != null || read.certificates().isEmpty()) {
        findings.add(Finding.error("signer.notCertificate", file.path(),
            "not a signer certificate: " + (read.unreadable() != null ? read.unreadable() : "no certificate in it")
                + "; signers/ holds the public leaf certificates teams sign with (PEM or DER, leaf first), never keys"));
        continue;
      }
      X509Certificate leaf = read.certificates().getFirst();
      if (leaf.getBasicConstraints() >= 0) {
        findings.add(Finding.warning("signer.notLeaf", file.path(),
            "the first certificate is a CA (" + leaf.getSubjectX500Principal().getName(X500Principal.RFC2253)
                + "), not the leaf a team signs with; put the signing certificate first, then its intermediates"));
      }
      signers.add(new Signer(file, leaf, List.copyOf(read.certificates().subList(1, read.certificates().size())), IdentityMatch.subject(leaf)));
    }
    return signers;
  }
}
