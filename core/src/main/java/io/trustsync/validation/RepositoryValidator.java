package io.trustsync.validation;

import io.trustsync.findings.ValidationOptions;
import io.trustsync.findings.Finding;
import io.trustsync.findings.GateConfig;
import io.trustsync.repository.EnvironmentDirectory;
import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.RepoFile;
import io.trustsync.repository.TrustStoreDirectory;
import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.trustpolicy.TrustPolicyValidator;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustStoreValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The gate (PRODUCT.md §2): runs every rule family over a repository read from disk and decides
 * which environments may be rendered. Pure: files and options in, findings out.
 */
public final class RepositoryValidator {
  private RepositoryValidator() {}

  public static ValidationReport validate(PolicyRepository repository, ValidationOptions requested) {
    GateConfig config = repository.gateConfig();
    ValidationOptions options = config.apply(requested);
    List<Finding> findings = new ArrayList<>(repository.layoutFindings());
    Map<TrustStoreDirectory, LoadedTrustStore> loaded = new HashMap<>();
    for (TrustStoreDirectory store : repository.sharedStores()) {
      loaded.put(store, loadStore(store, options, findings));
    }
    Map<String, TrustPolicyDocument> policies = new LinkedHashMap<>();
    for (EnvironmentDirectory environment : repository.environments()) {
      for (TrustStoreDirectory store : environment.stores()) {
        loaded.put(store, loadStore(store, options, findings));
      }
      if (environment.trustPolicy() == null) {
        findings.add(Finding.error("repo.missingPolicy", environment.path(),
            "environment '" + environment.name() + "' has no trustpolicy.json (or trustpolicy.oci.json); add one or delete the folder"));
        continue;
      }
      if (environment.shadowedPolicy() != null) {
        findings.add(Finding.warning("repo.shadowedPolicy", environment.shadowedPolicy().path(),
            "ignored: trustpolicy.oci.json in the same folder wins, as in notation; delete one of the two files"));
      }
      TrustPolicyValidator.Result policy = TrustPolicyValidator.validate(environment.trustPolicy());
      findings.addAll(policy.findings());
      if (policy.document() != null) {
        policies.put(environment.name(), policy.document());
      }
    }
    findings.addAll(CrossReferences.check(repository, policies, loaded));
    findings.addAll(SignerRules.check(repository, policies, loaded));
    Map<String, ExpectedSigners> expectedSigners = new HashMap<>();
    for (EnvironmentDirectory environment : repository.environments()) {
      if (environment.expectedSigners() != null) {
        ExpectedSignerRules.Result expected = ExpectedSignerRules.check(repository, environment, policies.get(environment.name()), loaded);
        findings.addAll(expected.findings());
        expectedSigners.put(environment.name(), expected.expectedSigners());
      }
    }
    List<GateConfig.Suppressed> suppressed = new ArrayList<>();
    findings = new ArrayList<>(config.adjust(findings, suppressed));
    findings.addAll(config.problems());
    findings.sort(Finding.ORDER);
    if (findings.stream().anyMatch(Finding::isError)) {
      return new ValidationReport(findings, Map.of(), suppressed);
    }
    Map<String, AcceptedEnvironment> accepted = new TreeMap<>();
    for (EnvironmentDirectory environment : repository.environments()) {
      TrustPolicyDocument policy = policies.get(environment.name());
      List<LoadedTrustStore> stores = CrossReferences.referencedStores(repository, environment, policy).stream()
          .map(loaded::get)
          .toList();
      accepted.put(environment.name(),
          new AcceptedEnvironment(environment.name(), policy, stores, expectedSigners.getOrDefault(environment.name(), ExpectedSigners.NONE)));
    }
    return new ValidationReport(findings, accepted, suppressed);
  }

  /** Validates a lone trust policy file: schema and notation rules only, no stores to check. */
  public static ValidationReport validatePolicyFile(RepoFile file) {
    List<Finding> findings = new ArrayList<>(TrustPolicyValidator.validate(file).findings());
    findings.sort(Finding.ORDER);
    return new ValidationReport(findings, Map.of());
  }

  private static LoadedTrustStore loadStore(TrustStoreDirectory store, ValidationOptions options, List<Finding> findings) {
    TrustStoreValidator.Result result = TrustStoreValidator.validate(store, options);
    findings.addAll(result.findings());
    return result.store();
  }
}
