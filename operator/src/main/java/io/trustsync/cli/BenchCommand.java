package io.trustsync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that print one JSON line of measured figures (see docs/performance.md).",
    subcommands = {BenchOperatorCommand.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
