package io.trustsync.validation;

import io.trustsync.findings.Finding;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of validating one revision: every finding, in a stable order, and the environments
 * that can be rendered, by name. When any finding is an error, no environment is accepted — an invalid
 * revision is never applied, not even its valid parts.
 */
public record ValidationReport(List<Finding> findings, Map<String, AcceptedEnvironment> environments,
    List<io.trustsync.findings.GateConfig.Suppressed> suppressed) {
  public ValidationReport(List<Finding> findings, Map<String, AcceptedEnvironment> environments) {
    this(findings, environments, List.of());
  }

  public ValidationReport {
    findings = List.copyOf(findings);
    suppressed = List.copyOf(suppressed);
    // Sorted by name: Map.copyOf's iteration order changes from one JVM run to the next, and
    // messages and renderings that list environments must not.
    environments = Collections.unmodifiableSortedMap(new TreeMap<>(environments));
  }

  public long errors() {
    return findings.stream().filter(Finding::isError).count();
  }

  public long warnings() {
    return findings.size() - errors();
  }

  public boolean accepted() {
    return errors() == 0;
  }
}
