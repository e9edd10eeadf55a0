package io.trustsync.cli;

import io.trustsync.local.AuditBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "The signer audit's speed and weight: a real registry (scripts/registry-cli.sh) with images signed by the real notation CLI",
      "(scripts/notation-cli.sh); images audited per second, and the heap one audit's report holds per 10,000 images. Prints one JSON line."
    },
    footer = {"", "Examples:", "  bin/trustsync bench audit", "  bin/trustsync bench audit --images 400 --repositories 8"})
final class BenchAuditCommand implements Callable<Integer> {
  @Option(names = "--images", defaultValue = "200", description = "Images to push and sign. Default: ${DEFAULT-VALUE}.")
  int images;

  @Option(names = "--repositories", defaultValue = "4", description = "Repositories they are spread over. Default: ${DEFAULT-VALUE}.")
  int repositories;

  @Option(names = "--runs", defaultValue = "5", description = "Timed audits (after one warm-up). Default: ${DEFAULT-VALUE}.")
  int runs;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var err = spec.commandLine().getErr();
    Path root = BenchColdStartCommand.projectRoot();
    Path registry = Path.of(BenchColdStartCommand.run(List.of("bash", root.resolve("scripts/registry-cli.sh").toString()), root).strip());
    Path notation = Path.of(BenchColdStartCommand.run(List.of("bash", root.resolve("scripts/notation-cli.sh").toString()), root).strip());
    Path work = Files.createTempDirectory("trustsync-bench-audit");
    try {
      AuditBenchmark.Result result = new AuditBenchmark().run(registry, notation, images, Math.max(1, repositories), Math.max(1, runs), work,
          line -> {
            err.println("[bench] " + line);
            err.flush();
          });
      spec.commandLine().getOut().println(result.json());
      spec.commandLine().getOut().flush();
      return 0;
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
