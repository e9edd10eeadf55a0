package io.trustsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.bench.GeneratedRepository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "coldstart",
    mixinStandardHelpOptions = true,
    description = {
      "Cold start, side by side in one run: `bin/trustsync validate FILE` against the real `notation policy import FILE`",
      "(notation v1.3.2, built from the Go module proxy by scripts/notation-cli.sh) on the same generated trust policy, and",
      "`bin/trustsync validate policy-repo-example`. Each round runs every command once, in turn, as a new process.",
      "Prints one JSON line: wall time per command (median, min, p90) and the ratio of the medians."
    },
    footer = {"", "Examples:", "  bin/trustsync bench coldstart", "  bin/trustsync bench coldstart --statements 5000 --rounds 20"})
final class BenchColdStartCommand implements Callable<Integer> {
  @Option(names = "--statements", defaultValue = "2000", description = "Statements in the generated policy. Default: ${DEFAULT-VALUE}.")
  int statements;

  @Option(names = "--rounds", defaultValue = "10", description = "Timed rounds. Default: ${DEFAULT-VALUE}.")
  int rounds;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var err = spec.commandLine().getErr();
    Path root = projectRoot();
    Path launcher = root.resolve("bin/trustsync");
    Path notation = Path.of(run(List.of("bash", root.resolve("scripts/notation-cli.sh").toString()), root).trim());
    Path work = Files.createTempDirectory("trustsync-coldstart-");
    try {
      return measure(root, launcher, notation, work);
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private Integer measure(Path root, Path launcher, Path notation, Path work) throws Exception {
    var err = spec.commandLine().getErr();
    var written = GeneratedRepository.write(work.resolve("repo"), new GeneratedRepository.Shape(statements, Math.max(2, statements / 40), 1,
        Math.max(1, statements / 40)), Instant.now());
    Path policy;
    try (var files = Files.walk(written.root().resolve("environments"))) {
      policy = files.filter(f -> f.getFileName().toString().equals("trustpolicy.json")).findFirst().orElseThrow();
    }
    Path config = Files.createDirectories(work.resolve("xdg"));
    Map<String, List<String>> commands = new LinkedHashMap<>();
    commands.put("notationPolicyImport", List.of(notation.toString(), "policy", "import", "--force", policy.toString()));
    commands.put("trustsyncValidateFile", List.of(launcher.toString(), "validate", policy.toString()));
    commands.put("trustsyncValidateExample", List.of(launcher.toString(), "validate", root.resolve("policy-repo-example").toString()));
    // once each, untimed: builds the jar and the start-up caches if they are missing, checks that every command succeeds
    for (var command : commands.entrySet()) {
      time(command.getValue(), config, true);
    }
    err.println("[bench] " + statements + "-statement policy (" + Files.size(policy) + " bytes); " + rounds + " rounds");
    Map<String, List<Double>> times = new LinkedHashMap<>();
    commands.keySet().forEach(k -> times.put(k, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (var command : commands.entrySet()) {
        times.get(command.getKey()).add(time(command.getValue(), config, false));
      }
    }
    ObjectNode result = new ObjectMapper().createObjectNode();
    result.put("statements", statements);
    result.put("policyBytes", Files.size(policy));
    result.put("rounds", rounds);
    times.forEach((name, list) -> {
      List<Double> sorted = list.stream().sorted().toList();
      ObjectNode node = result.putObject(name + "Ms");
      node.put("median", round(sorted.get(sorted.size() / 2)));
      node.put("min", round(sorted.getFirst()));
      node.put("p90", round(sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.9) - 1))));
    });
    double file = median(times.get("trustsyncValidateFile"));
    double notationTime = median(times.get("notationPolicyImport"));
    result.put("ratioFileToNotation", round(file / notationTime));
    result.put("uptimeLoad", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    spec.commandLine().getOut().println(result);
    return 0;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  /** Wall time of one run, in ms, from starting the process to its exit; with {@code check}, a non-zero exit fails the benchmark. */
  private static double time(List<String> command, Path config, boolean check) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("XDG_CONFIG_HOME", config.toString());
    long start = System.nanoTime();
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish in 5 minutes");
    }
    double ms = (System.nanoTime() - start) / 1e6;
    if (check && process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ":\n"
          + new String(output, StandardCharsets.UTF_8));
    }
    return ms;
  }

  /** Runs {@code command} in {@code directory} and returns what it printed; a non-zero exit is an error. */
  static String run(List<String> command, Path directory) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
    return out;
  }

  /** The checkout bin/trustsync runs from (TRUSTSYNC_HOME, set by the launcher), else the working directory or its parent. */
  static Path projectRoot() {
    String home = System.getenv("TRUSTSYNC_HOME");
    Path here = Path.of("").toAbsolutePath();
    for (Path candidate : home != null ? List.of(Path.of(home)) : List.of(here, here.getParent() == null ? here : here.getParent())) {
      if (Files.exists(candidate.resolve("bin/trustsync"))) {
        return candidate;
      }
    }
    throw new CommandLine.ParameterException(new CommandLine(new BenchColdStartCommand()),
        "run it through bin/trustsync from the project's checkout (no bin/trustsync under " + here + ")");
  }
}
