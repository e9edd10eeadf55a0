package io.trustsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.bench.GeneratedRepository;
import io.trustsync.rendering.Profile;
import io.trustsync.rendering.RenderRequest;
import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.validation.ValidationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trustsync bench validate}: how long reading and validating a large repository takes in a
 * warm JVM, the figure docs/performance.md records. Not a test: timings on shared CI machines are
 * noise, so nothing asserts on them.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measures TrustSync itself and prints one JSON line of results (see docs/performance.md).",
    subcommands = {BenchOperatorCommand.class, BenchRolloutCommand.class, BenchColdStartCommand.class, BenchImageCommand.class,
        BenchAuditCommand.class},
    footer = {
      "",
      "Examples:",
      "  trustsync bench validate",
      "  trustsync bench validate --statements 2000 --certificates 500 --iterations 30",
      "  trustsync bench validate --repository /tmp/big-repo   # keep it afterwards",
      "  trustsync bench operator                              # 3 real member clusters",
      "  trustsync bench operator --clusters 200 --commits 10"
    })
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = {
        "Generates a valid repository (certificates made once), then reads and validates it repeatedly in this JVM",
        "after warm-up iterations, and renders every environment (native profile) in a separate timing."
      },
      footer = {
        "",
        "Examples:",
        "  trustsync bench validate",
        "  trustsync bench validate --statements 200 --certificates 50 --warmup 3 --iterations 10",
        "",
        "Output: {\"statements\":..,\"certificates\":..,\"files\":..,\"warmupIterations\":..,\"iterations\":..,",
        "         \"p50Ms\":..,\"minMs\":..,\"maxMs\":..,\"withRenderP50Ms\":..,\"heapUsedMb\":..,...}"
      })
  int validate(
      @Option(names = "--statements", defaultValue = "2000", description = "Trust policy statements. Default: ${DEFAULT-VALUE}.")
          int statements,
      @Option(names = "--certificates", defaultValue = "500", description = "Certificates. Default: ${DEFAULT-VALUE}.")
          int certificates,
      @Option(names = "--environments", defaultValue = "4", description = "Environments. Default: ${DEFAULT-VALUE}.")
          int environments,
      @Option(names = "--stores", defaultValue = "50", description = "Trust stores. Default: ${DEFAULT-VALUE}.")
          int stores,
      @Option(names = "--warmup", defaultValue = "10", description = "Untimed iterations first. Default: ${DEFAULT-VALUE}.")
          int warmup,
      @Option(names = "--iterations", defaultValue = "20", description = "Timed iterations. Default: ${DEFAULT-VALUE}.")
          int iterations,
      @Option(names = "--repository", paramLabel = "DIR",
          description = "Write the repository here and keep it (default: a temporary folder, deleted afterwards).")
          Path repository)
      throws IOException {
    if (iterations < 1 || warmup < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--iterations must be at least 1 and --warmup at least 0");
    }
    Instant now = Instant.now();
    Path root = repository != null ? Files.createDirectories(repository) : Files.createTempDirectory("trustsync-bench");
    try {
      var written = GeneratedRepository.write(root, new GeneratedRepository.Shape(statements, certificates, environments, stores), now);
      ValidationOptions options = ValidationOptions.at(now);
      ValidationReport last = null;
      for (int i = 0; i < warmup; i++) {
        last = validateOnce(root, options);
        renderAll(last);
      }
      double[] validateMs = new double[iterations];
      double[] withRenderMs = new double[iterations];
      long renderedBytes = 0;
      var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < iterations; i++) {
        long start = System.nanoTime();
        last = validateOnce(root, options);
        validateMs[i] = (System.nanoTime() - start) / 1e6;
        renderedBytes = renderAll(last);
        withRenderMs[i] = (System.nanoTime() - start) / 1e6;
      }
      long allocatedPerIteration = (threads.getCurrentThreadAllocatedBytes() - allocatedBefore) / iterations;
      // The live heap while the last report is still reachable: what the operator keeps per revision.
      System.gc();
      long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();

      ObjectNode result = new ObjectMapper().createObjectNode();
      result.put("statements", statements);
      result.put("certificates", certificates);
      result.put("environments", environments);
      result.put("stores", stores);
      result.put("files", written.files());
      result.put("errors", last.errors());
      result.put("warnings", last.warnings());
      result.put("warmupIterations", warmup);
      result.put("iterations", iterations);
      result.put("p50Ms", round(percentile(validateMs, 50)));
      result.put("minMs", round(Arrays.stream(validateMs).min().orElseThrow()));
      result.put("maxMs", round(Arrays.stream(validateMs).max().orElseThrow()));
      result.put("withRenderP50Ms", round(percentile(withRenderMs, 50)));
      result.put("renderedYamlBytes", renderedBytes);
      result.put("allocatedMbPerIteration", round(allocatedPerIteration / 1048576.0));
      result.put("heapUsedMb", round(heapUsed / 1048576.0));
      result.put("availableProcessors", Runtime.getRuntime().availableProcessors());
      result.put("javaVersion", Runtime.version().toString());
      PrintWriter out = spec.commandLine().getOut();
      out.println(result);
      out.flush();
      if (last.errors() > 0) {
        spec.commandLine().getErr().println("trustsync: the generated repository has error findings, so rendering was skipped: "
            + last.findings().get(0).ruleId() + " " + last.findings().get(0).message());
        return 1;
      }
      return 0;
    } finally {
      if (repository == null) {
        deleteRecursively(root);
      }
    }
  }

  private static ValidationReport validateOnce(Path root, ValidationOptions options) throws IOException {
    PolicyRepository repository = RepositoryReader.read(root, options.maxFileBytes());
    return RepositoryValidator.validate(repository, options);
  }

  /** Renders every accepted environment to YAML, as the operator does for each member cluster. */
  private static long renderAll(ValidationReport report) {
    long bytes = 0;
    for (Map.Entry<String, AcceptedEnvironment> entry : report.environments().entrySet()) {
      AcceptedEnvironment environment = entry.getValue();
      bytes += Profile.NATIVE.render(new RenderRequest(entry.getKey(), environment.policy(), environment.stores(), "bench", null, Map.of()))
          .toYaml().length();
    }
    return bytes;
  }

  private static double percentile(double[] values, int percentile) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, index)];
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
