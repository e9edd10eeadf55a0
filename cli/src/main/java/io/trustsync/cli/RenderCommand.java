package io.trustsync.cli;

import io.trustsync.rendering.Profile;
import io.trustsync.rendering.RenderRequest;
import io.trustsync.rendering.Rendering;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.findings.Finding;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Validates a policy repository and prints the Kubernetes objects one environment renders to, as YAML",
      "(the same objects the operator applies). Nothing is printed when validation finds an error."
    },
    footer = {
      "",
      "Examples:",
      "  trustsync render policy-repo-example --env production",
      "  trustsync render policy-repo-example --env development --profile ratify-v1 --namespace gatekeeper-system",
      "  trustsync render policy-repo-example --env production | kubectl apply --server-side --field-manager trustsync -f -"
    })
final class RenderCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "REPOSITORY", description = "Policy repository root or an environments/<env> folder.")
  Path path;

  @Option(names = {"-e", "--env"}, paramLabel = "ENV", description = "Environment to render (required when the repository has several).")
  String environment;

  @Option(names = {"-p", "--profile"}, defaultValue = "native", paramLabel = "PROFILE",
      description = "native (TrustStore/TrustPolicy), ratify-v1, ratify-v2, flux (a Flux verification Secret) or notation (ConfigMaps of a Notation configuration directory). Default: ${DEFAULT-VALUE}.")
  String profile;

  @CommandLine.Mixin RatifyOptionsMixin ratify;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "Target namespace written into every object.")
  String namespace;

  @Option(names = "--revision", paramLabel = "REVISION", description = "Source revision recorded on every object. Default: ${DEFAULT-VALUE}.",
      defaultValue = "unversioned")
  String revision;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Profile chosen = AcceptedInput.profile(spec, profile);
    var options = ratify.options(spec);
    AcceptedEnvironment accepted = AcceptedInput.environment(spec, path, environment, "nothing rendered");
    if (accepted == null) {
      return 1;
    }
    String name = accepted.name();
    PolicyInput input = PolicyInput.of(path);
    Rendering rendering = chosen.render(new RenderRequest(name, accepted.policy(), accepted.stores(), revision, namespace, Map.of(), options));
    for (Finding warning : rendering.warnings()) {
      err.println(input.display(warning.file()) + ": warning " + warning.ruleId() + " [" + warning.pointer() + "]: " + warning.message());
    }
    spec.commandLine().getOut().print(rendering.toYaml());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
