package io.trustsync.cli;

import io.trustsync.findings.ValidationOptions;
import io.trustsync.validation.ValidationReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks policy repositories, environment folders or single trust policy files against every rule",
      "(schema.*, notation.*, store.*, repo.*) and prints each finding with its file, line, column and fix.",
      "This is what a pull-request check runs."
    },
    footer = {
      "",
      "Examples:",
      "  trustsync validate policy-repo-example",
      "  trustsync validate policy-repo-example/environments/production",
      "  trustsync validate --format github .            # annotations in a GitHub Actions job",
      "  trustsync validate --format sarif . > trustsync.sarif",
      "",
      "Exit codes: 0 no error findings, 1 error findings, 2 usage or I/O error."
    })
final class ValidateCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Repository root, environments/<env> folder, or a trustpolicy.json file.")
  List<Path> paths;

  @Option(names = {"-f", "--format"}, defaultValue = "text", paramLabel = "FORMAT",
      description = "text, json, sarif or github (workflow annotations). Default: ${DEFAULT-VALUE}.")
  ReportFormat format;

  @Option(names = "--expiry-window", defaultValue = "30d", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Warn about certificates that expire within this window (e.g. 30d, 720h). Default: ${DEFAULT-VALUE}.")
  Duration expiryWindow;

  @Option(names = "--now", paramLabel = "INSTANT",
      description = "Validate as of this time (RFC 3339, e.g. 2027-01-01T00:00:00Z) instead of the current time.")
  Instant now;

  @Option(names = "--max-file-size", defaultValue = "4194304", paramLabel = "BYTES",
      description = "Files larger than this are reported, not read. Default: ${DEFAULT-VALUE}.")
  long maxFileBytes;

  @Option(names = "--warnings-as-errors", description = "Exit 1 on warnings too.")
  boolean warningsAsErrors;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ValidationOptions options = new ValidationOptions(now != null ? now : Instant.now(), expiryWindow, maxFileBytes);
    List<ReportFormat.Checked> results = new ArrayList<>();
    boolean unreadable = false;
    for (Path path : paths) {
      // one path's problem never stops the others' output
      try {
        PolicyInput input = PolicyInput.of(path);
        ValidationReport report = input.validate(options);
        results.add(new ReportFormat.Checked(input, warningsAsErrors ? promoteWarnings(report) : report));
      } catch (java.io.IOException e) {
        unreadable = true;
        spec.commandLine().getErr().println("trustsync: " + TrustSyncCommand.describe(e));
      }
    }
    format.write(results, spec.commandLine().getOut());
    spec.commandLine().getOut().flush();
    boolean errors = results.stream().anyMatch(r -> r.report().errors() > 0);
    return unreadable ? 2 : errors ? 1 : 0;
  }

  /** --warnings-as-errors: every warning is reported, counted and judged as an error, so the summary and the exit code agree. */
  private static ValidationReport promoteWarnings(ValidationReport report) {
    List<io.trustsync.findings.Finding> findings = report.findings().stream()
        .map(f -> f.isError() ? f : f.withSeverity(io.trustsync.findings.Severity.ERROR, "--warnings-as-errors"))
        .toList();
    boolean promoted = report.findings().stream().anyMatch(f -> !f.isError());
    return new ValidationReport(findings, promoted ? java.util.Map.of() : report.environments(), report.suppressed());
  }
}
