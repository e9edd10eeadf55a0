package io.trustsync.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trustsync} executable: one entry point, one subcommand per job. */
@Command(
    name = "trustsync",
    mixinStandardHelpOptions = true,
    versionProvider = TrustSyncCommand.Version.class,
    description = {
      "Keeps the Notation trust policy and trust stores of many Kubernetes clusters equal to one Git repository.",
      "",
      "Start with:  trustsync validate policy-repo-example",
      "             trustsync render policy-repo-example --env production"
    },
    // the subcommands are added in run(): only the one being run, so `validate` does not build the operator's 40 options
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success, no error findings", "1:error findings (the revision would be rejected)", "2:usage or I/O error"})
public final class TrustSyncCommand implements Runnable {
  private static final java.util.Map<String, java.util.function.Supplier<Object>> COMMANDS = new java.util.LinkedHashMap<>();

  static {
    COMMANDS.put("validate", ValidateCommand::new);
    COMMANDS.put("render", RenderCommand::new);
    COMMANDS.put("diff", DiffCommand::new);
    COMMANDS.put("get", GetCommand::new);
    COMMANDS.put("reconcile", ReconcileCommand::new);
    COMMANDS.put("suspend", SuspendCommand.Suspend::new);
    COMMANDS.put("resume", SuspendCommand.Resume::new);
    COMMANDS.put("rollout", RolloutCommand::new);
    COMMANDS.put("audit", AuditCommand::new);
    COMMANDS.put("impact", ImpactCommand::new);
    COMMANDS.put("version", VersionCommand::new);
    COMMANDS.put("operator", OperatorCommand::new);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Short commands print findings, not logs; the operator logs at info. TRUSTSYNC_LOG_LEVEL overrides.
    String level = System.getenv().getOrDefault("TRUSTSYNC_LOG_LEVEL", args.length > 0 && args[0].equals("operator") ? "info" : "warn");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * The command line that runs {@code args}. Cold start: picocli builds a command's model by
   * reflection over its options, so only the subcommand named first is built; help, a mistake or
   * an extra command get them all.
   */
  public static CommandLine commandLine(String... args) {
    CommandLine commandLine = new CommandLine(new TrustSyncCommand());
    String first = args.length > 0 ? args[0] : "";
    java.util.function.Supplier<Object> only = COMMANDS.get(first);
    if (only != null) {
      commandLine.addSubcommand(first, only.get());
    } else {
      COMMANDS.forEach((name, command) -> commandLine.addSubcommand(name, command.get()));
      commandLine.addSubcommand("help", new CommandLine.HelpCommand());
      // demo and bench, when the development jar (the test kit) is on the class path; a deployment's jar has neither
      for (ExtraCommands extra : java.util.ServiceLoader.load(ExtraCommands.class)) {
        extra.commands().forEach(commandLine::addSubcommand);
      }
    }
    return commandLine;
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = commandLine(args);
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setParameterExceptionHandler((exception, arguments) -> {
      // One line saying what was wrong and where to read more; the full usage text buries it.
      CommandLine cmd = exception.getCommandLine();
      cmd.getErr().println("trustsync: " + exception.getMessage().lines().findFirst().orElse("invalid arguments")
          + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
      return cmd.getCommandSpec().exitCodeOnInvalidInput();
    });
    commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
      // A person gets one line that says what failed, never a stack trace.
      cmd.getErr().println("trustsync: " + describe(exception));
      if (System.getenv("TRUSTSYNC_DEBUG") != null) {
        exception.printStackTrace(cmd.getErr());
      }
      return 2;
    });
    return commandLine.execute(args);
  }

  static String describe(Exception exception) {
    String message = exception.getMessage();
    if (exception instanceof java.nio.file.NoSuchFileException) {
      return "no such file or directory: " + message;
    }
    if (exception instanceof java.nio.file.AccessDeniedException) {
      return "permission denied: " + message;
    }
    return message != null ? message : exception.getClass().getSimpleName();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"trustsync " + BuildInfo.current().describe()};
    }
  }
}
