package io.trustsync.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code suspend} and {@code resume}: spec.suspend of a source (stop fetching) or a distribution (stop applying). */
abstract class SuspendCommand implements Callable<Integer> {
  static final String FOOTER = "%nA suspended source keeps serving its last accepted revision; a suspended distribution leaves the"
      + " clusters as they are (drift is still reported). Resuming also asks for a reconcile at once.%n%n"
      + "Examples:%n  trustsync suspend distribution production%n  trustsync resume source policies -n team-a%n%n"
      + "Exit codes: 0 done, 2 usage or cluster error.";

  @Command(name = "suspend", mixinStandardHelpOptions = true, footer = FOOTER,
      description = "Stops a source fetching (spec.suspend) or a distribution applying, until resumed.")
  static final class Suspend extends SuspendCommand {
    Suspend() {
      super(true);
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, footer = FOOTER,
      description = "Resumes a suspended source or distribution and asks for a reconcile.")
  static final class Resume extends SuspendCommand {
    Resume() {
      super(false);
    }
  }

  private final boolean suspend;

  @Parameters(index = "0", paramLabel = "KIND", description = "source or distribution.")
  String kind;

  @Parameters(index = "1", paramLabel = "NAME", description = "Its name.")
  String name;

  @CommandLine.Mixin HubOptions hub;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  SuspendCommand(boolean suspend) {
    this.suspend = suspend;
  }

  @Override
  public Integer call() throws Exception {
    Class<? extends HasMetadata> type = Resources.type(spec.commandLine(), kind);
    PrintWriter out = spec.commandLine().getOut();
    try (KubernetesClient client = hub.client(spec.commandLine())) {
      var resource = client.resources(type).inNamespace(hub.namespace()).withName(name);
      if (resource.get() == null) {
        throw new IllegalStateException(Resources.label(kind) + " " + hub.namespace() + "/" + name + " not found");
      }
      // A merge patch of one field: nothing else of the spec is touched. Resuming also requests a reconcile.
      String patch = suspend ? "{\"spec\":{\"suspend\":true}}"
          : "{\"metadata\":{\"annotations\":{\"" + io.trustsync.operator.shared.ReconcileRequest.ANNOTATION + "\":\"" + Instant.now() + "\"}},\"spec\":{\"suspend\":null}}";
      resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      out.println((suspend ? "suspended " : "resumed ") + Resources.label(kind) + " " + hub.namespace() + "/" + name);
      out.flush();
    }
    return 0;
  }
}
