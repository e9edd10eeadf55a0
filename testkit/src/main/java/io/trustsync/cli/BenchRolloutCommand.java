package io.trustsync.cli;

import io.trustsync.local.RolloutBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "rollout",
    mixinStandardHelpOptions = true,
    description = {
      "The overhead of staging: one fleet on real API servers, one flat and one staged distribution (zero soak, no approval)",
      "of the same source; each commit timed from push to applied on every cluster, for both. Prints one JSON line."
    },
    footer = {"", "Examples:", "  bin/trustsync bench rollout", "  bin/trustsync bench rollout --clusters 12 --stages 4 --commits 10"})
final class BenchRolloutCommand implements Callable<Integer> {
  @Option(names = "--members", defaultValue = "3", description = "Member API servers to start. Default: ${DEFAULT-VALUE}.")
  int members;

  @Option(names = "--clusters", defaultValue = "6", description = "MemberClusters, spread over the stages. Default: ${DEFAULT-VALUE}.")
  int clusters;

  @Option(names = "--stages", defaultValue = "3", description = "Stages of the staged distribution. Default: ${DEFAULT-VALUE}.")
  int stages;

  @Option(names = "--commits", defaultValue = "10", description = "Commits to push. Default: ${DEFAULT-VALUE}.")
  int commits;

  @Option(names = "--repository", defaultValue = "policy-repo-example", description = "Policy repository to serve. Default: ${DEFAULT-VALUE}.")
  Path repository;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var err = spec.commandLine().getErr();
    RolloutBenchmark.Result result = new RolloutBenchmark().run(members, Math.max(clusters, stages), Math.max(stages, 1), commits, repository,
        line -> {
          err.println("[bench] " + line);
          err.flush();
        });
    spec.commandLine().getOut().println(result.json());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
