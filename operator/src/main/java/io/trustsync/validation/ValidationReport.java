package io.trustsync.validation;

import java.util.List;
import java.util.Map;

/**
 * The result of validating one revision: every finding, in a stable order, and the environments
 * that can be rendered. When any finding is an error, no environment is accepted — an invalid
 * revision is never applied, not even its valid parts.
 */
public record ValidationReport(List<Finding> findings, Map<String, AcceptedEnvironment> environments) {
  public ValidationReport {
    findings = List.copyOf(findings);
    environments = Map.copyOf(environments);
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
