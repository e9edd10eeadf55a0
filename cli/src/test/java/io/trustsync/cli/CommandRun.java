package io.trustsync.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the command line: what a user would see on stdout, stderr and as exit code. */
public record CommandRun(int exitCode, String out, String err) {
  public static CommandRun of(Object... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] strings = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      strings[i] = String.valueOf(args[i]);
    }
    int exit = TrustSyncCommand.run(strings, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CommandRun(exit, out.toString(), err.toString());
  }
}
