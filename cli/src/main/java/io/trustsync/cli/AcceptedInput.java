package io.trustsync.cli;

import io.trustsync.rendering.Profile;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.validation.ValidationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * What commands that render (render, diff) do first: validate the repository, refuse with its
 * findings when it has errors, and pick the environment and profile the user named.
 */
final class AcceptedInput {
  private AcceptedInput() {}

  static Profile profile(CommandLine.Model.CommandSpec spec, String name) {
    return Profile.of(name).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
        "unknown profile '" + name + "'; choose one of " + Profile.names()));
  }

  /** ratify-v2's options from the command line (--ratify-api-version, --registry-credential provider[,key=value...]). */
  static io.trustsync.rendering.ProfileOptions profileOptions(CommandLine.Model.CommandSpec spec, String apiVersion, String credential) {
    String provider = null;
    java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
    if (credential != null) {
      String[] parts = credential.split(",");
      provider = parts[0];
      for (int i = 1; i < parts.length; i++) {
        int eq = parts[i].indexOf('=');
        if (eq <= 0) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              "--registry-credential '" + credential + "': expected PROVIDER[,KEY=VALUE...], e.g. azure,clientID=<id>");
        }
        options.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
      }
    }
    var result = io.trustsync.rendering.ProfileOptions.parse(apiVersion, provider, options);
    if (result.error() != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), result.error().replace("ratify.apiVersion", "--ratify-api-version")
          .replace("ratify.registryCredential.provider", "--registry-credential").replace("ratify.registryCredential.", "--registry-credential option "));
    }
    return result.options();
  }

  /**
   * The accepted environment, or null after printing the findings and {@code refusal} when the
   * repository has errors. {@code environment} may be null when the repository has only one.
   */
  static AcceptedEnvironment environment(CommandLine.Model.CommandSpec spec, Path path, String environment, String refusal) throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    PolicyInput input = PolicyInput.of(path);
    ValidationOptions options = ValidationOptions.at(Instant.now());
    ValidationReport report = RepositoryValidator.validate(input.read(options), options);
    if (!report.accepted()) {
      ReportFormat.text.write(List.of(new ReportFormat.Checked(input, report)), err);
      err.println("trustsync: " + refusal + ": the repository has error findings (see above)");
      return null;
    }
    Map<String, AcceptedEnvironment> environments = report.environments();
    String name = environment;
    if (name == null) {
      if (environments.size() != 1) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "choose an environment with --env; this repository has " + String.join(", ", environments.keySet()));
      }
      name = environments.keySet().iterator().next();
    }
    AcceptedEnvironment accepted = environments.get(name);
    if (accepted == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "no environment '" + name + "'; this repository has " + String.join(", ", environments.keySet()));
    }
    return accepted;
  }
}
