package io.trustsync.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.trustsync.operator.shared.ReconcileRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "reconcile",
    mixinStandardHelpOptions = true,
    description = {
      "Asks the operator to reconcile now and waits until it has: a source is fetched and validated, a distribution",
      "re-evaluated. Sets the trustsync.io/reconcile-requested-at annotation and waits for status.lastHandledReconcileAt."
    },
    footer = {
      "",
      "Examples:",
      "  trustsync reconcile source policies",
      "  trustsync reconcile distribution production -n team-a --timeout 5m",
      "",
      "Exit codes: 0 handled and Ready, 1 handled but not Ready, 2 usage or cluster error, or not handled in time."
    })
final class ReconcileCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "KIND", description = "source or distribution.")
  String kind;

  @Parameters(index = "1", paramLabel = "NAME", description = "Its name.")
  String name;

  @CommandLine.Mixin HubOptions hub;

  @Option(names = "--timeout", defaultValue = "2m", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long to wait. Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Class<? extends HasMetadata> type = Resources.type(spec.commandLine(), kind);
    PrintWriter out = spec.commandLine().getOut();
    try (KubernetesClient client = hub.client(spec.commandLine())) {
      Resource<? extends HasMetadata> resource = client.resources(type).inNamespace(hub.namespace()).withName(name);
      if (resource.get() == null) {
        throw new IllegalStateException(Resources.label(kind) + " " + hub.namespace() + "/" + name + " not found");
      }
      String requested = Instant.now().toString();
      resource.edit(object -> {
        if (object.getMetadata().getAnnotations() == null) {
          object.getMetadata().setAnnotations(new java.util.HashMap<>());
        }
        object.getMetadata().getAnnotations().put(ReconcileRequest.ANNOTATION, requested);
        return object;
      });
      out.println("► asked the operator to reconcile " + Resources.label(kind) + " " + hub.namespace() + "/" + name);
      out.flush();
      HasMetadata handled;
      try {
        handled = resource.waitUntilCondition(object -> object != null && requested.equals(Resources.lastHandled(object)),
            timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (io.fabric8.kubernetes.client.KubernetesClientTimeoutException e) {
        spec.commandLine().getErr().println("trustsync: the operator did not handle the request within " + DurationConverter.format(timeout)
            + "; is it running? (kubectl -n " + hub.namespace() + " get pods)");
        return 2;
      }
      Map.Entry<Boolean, String> ready = Resources.ready(handled);
      out.println((ready.getKey() ? "✔ " : "✗ ") + ready.getValue());
      return ready.getKey() ? 0 : 1;
    }
  }
}
