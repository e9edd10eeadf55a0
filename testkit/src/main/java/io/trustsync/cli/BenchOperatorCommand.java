package io.trustsync.cli;

import io.trustsync.local.OperatorBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks the operator on real API servers started on this machine: commit-to-all-converged latency",
      "(webhook-triggered), drift detection and correction latency, operator heap and RSS. Prints one JSON line.",
      "With --clusters above --members, MemberClusters share the member API servers, each in its own namespace."
    },
    footer = {"", "Examples:", "  bin/trustsync bench operator", "  bin/trustsync bench operator --clusters 200 --commits 10 --drifts 50",
        "  bin/trustsync bench operator --hostile-sources 8 --flood-connections 100"})
final class BenchOperatorCommand implements Callable<Integer> {
  @Option(names = "--members", defaultValue = "3", description = "Member API servers to start. Default: ${DEFAULT-VALUE}.")
  int members;

  @Option(names = "--clusters", defaultValue = "3", description = "MemberClusters to register. Default: ${DEFAULT-VALUE}.")
  int clusters;

  @Option(names = "--commits", defaultValue = "30", description = "Commits to push. Default: ${DEFAULT-VALUE}.")
  int commits;

  @Option(names = "--drifts", defaultValue = "50", description = "Hand edits to make. Default: ${DEFAULT-VALUE}.")
  int drifts;

  @Option(names = "--repository", defaultValue = "policy-repo-example", description = "Policy repository to serve. Default: ${DEFAULT-VALUE}.")
  Path repository;

  @Option(names = "--hostile-sources", defaultValue = "0", description = "After the commits, a tenant's PolicySources pointing at a server"
      + " that trickles a byte a second; the commits are measured again while they hang. Default: ${DEFAULT-VALUE}.")
  int hostileSources;

  @Option(names = "--flood-connections", defaultValue = "0", description = "Then that many concurrent unauthenticated webhook posts,"
      + " sampling the operator's heap and /healthz. Default: ${DEFAULT-VALUE}.")
  int floodConnections;

  @Option(names = "--flood-bytes", defaultValue = "5242880", description = "Body size of each flood post. Default: ${DEFAULT-VALUE}.")
  int floodBytes;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var err = spec.commandLine().getErr();
    OperatorBenchmark.Result result = new OperatorBenchmark().run(
        new OperatorBenchmark.Options(members, Math.max(clusters, 1), commits, drifts, repository, hostileSources, floodConnections, floodBytes),
        line -> {
          err.println("[bench] " + line);
          err.flush();
        });
    spec.commandLine().getOut().println(result.json());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
