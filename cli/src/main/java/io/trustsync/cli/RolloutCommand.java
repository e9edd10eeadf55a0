package io.trustsync.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.operator.shared.ReconcileRequest;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rollout status|approve|resume DISTRIBUTION}: a staged roll-out (spec.rollout, docs/rollout.md). */
@Command(name = "rollout", mixinStandardHelpOptions = true,
    description = "Shows, approves or resumes the staged roll-out of a TrustDistribution (spec.rollout).",
    subcommands = {RolloutCommand.Status.class, RolloutCommand.Approve.class, RolloutCommand.Resume.class},
    footer = "%nExamples:%n  trustsync rollout status production%n  trustsync rollout approve production%n"
        + "  trustsync rollout resume production -n team-a%n%nExit codes: 0 done, 1 (status) not rolled out, 2 usage or cluster error.")
final class RolloutCommand implements Callable<Integer> {
  static final String APPROVED_REVISION = io.trustsync.operator.shared.RolloutAnnotations.APPROVED_REVISION;
  static final String RESUMED_AT = io.trustsync.operator.shared.RolloutAnnotations.RESUMED_AT;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  abstract static class OnDistribution implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DISTRIBUTION", description = "TrustDistribution name.")
    String name;

    @CommandLine.Mixin HubOptions hub;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (KubernetesClient client = hub.client(spec.commandLine())) {
        var resource = client.resources(TrustDistribution.class).inNamespace(hub.namespace()).withName(name);
        TrustDistribution distribution = resource.get();
        if (distribution == null) {
          throw new IllegalStateException("TrustDistribution " + hub.namespace() + "/" + name + " not found");
        }
        if (distribution.getSpec().rollout == null) {
          throw new IllegalStateException("TrustDistribution " + hub.namespace() + "/" + name + " has no spec.rollout: every selected"
              + " cluster takes each revision at once");
        }
        int code = run(distribution, resource, out);
        out.flush();
        return code;
      }
    }

    abstract int run(TrustDistribution distribution, io.fabric8.kubernetes.client.dsl.Resource<TrustDistribution> resource, PrintWriter out);

    /** Sets annotations and asks for a reconcile, in one merge patch. */
    static void annotate(io.fabric8.kubernetes.client.dsl.Resource<TrustDistribution> resource, String key, String value) {
      resource.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\",\""
          + ReconcileRequest.ANNOTATION + "\":\"" + Instant.now() + "\"}}}");
    }

    static TrustDistributionStatus.RolloutStatus rollout(TrustDistribution distribution) {
      return distribution.getStatus() == null ? null : distribution.getStatus().rollout;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Each stage: its clusters, how many are synced, and what it waits for.")
  static final class Status extends OnDistribution {
    @Override
    int run(TrustDistribution distribution, io.fabric8.kubernetes.client.dsl.Resource<TrustDistribution> resource, PrintWriter out) {
      var rollout = rollout(distribution);
      if (rollout == null) {
        out.println("no roll-out recorded yet (the operator has not reconciled the distribution)");
        return 1;
      }
      out.printf("revision %s (from %s): %s%n", shortRevision(rollout.revision), shortRevision(rollout.previousRevision), rollout.state);
      if (rollout.message != null) {
        out.println(rollout.message);
      }
      out.printf("%-20s %-18s %8s  %s%n", "STAGE", "STATE", "SYNCED", "WAITING FOR");
      for (var stage : rollout.stages) {
        out.printf("%-20s %-18s %8s  %s%n", stage.name, stage.state, stage.synced + "/" + stage.clusters,
            stage.waitingFor == null ? "" : stage.waitingFor);
      }
      return "RolledOut".equals(rollout.state) ? 0 : 1;
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true,
      description = "Approves the revision rolling out (or --revision) for the stages that need approval.")
  static final class Approve extends OnDistribution {
    @CommandLine.Option(names = "--revision", paramLabel = "REV", description = "Revision to approve (7 or more hex digits). Default: the one rolling out.")
    String revision;

    @Override
    int run(TrustDistribution distribution, io.fabric8.kubernetes.client.dsl.Resource<TrustDistribution> resource, PrintWriter out) {
      var rollout = rollout(distribution);
      String approved = revision != null ? revision : rollout == null ? null : rollout.revision;
      if (approved == null || !approved.matches("[0-9a-f]{7,64}")) {
        throw new CommandLine.ParameterException(spec.commandLine(), approved == null
            ? "no revision is rolling out yet; name one with --revision" : "--revision '" + approved + "' is not 7 to 64 hex digits");
      }
      annotate(resource, APPROVED_REVISION, approved);
      out.println("approved revision " + shortRevision(approved) + " for " + hub.namespace() + "/" + name);
      return 0;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Continues a halted roll-out (once the failure is fixed).")
  static final class Resume extends OnDistribution {
    @Override
    int run(TrustDistribution distribution, io.fabric8.kubernetes.client.dsl.Resource<TrustDistribution> resource, PrintWriter out) {
      var rollout = rollout(distribution);
      if (rollout == null || rollout.haltedAt == null) {
        out.println("the roll-out of " + hub.namespace() + "/" + name + " is not halted");
        return 0;
      }
      annotate(resource, RESUMED_AT, Instant.now().toString());
      out.println("resumed the roll-out of revision " + shortRevision(rollout.revision) + " for " + hub.namespace() + "/" + name);
      return 0;
    }
  }

  static String shortRevision(String revision) {
    return revision == null ? "-" : revision.length() > 12 ? revision.substring(0, 12) : revision;
  }
}
