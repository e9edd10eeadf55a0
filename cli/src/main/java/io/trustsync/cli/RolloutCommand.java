package io.trustsync.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionStatus;
import io.trustsync.operator.shared.ReconcileRequest;
import io.trustsync.operator.shared.RolloutAnnotations;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rollout status|approve|resume DISTRIBUTION}: a staged roll-out (spec.rollout, docs/rollout.md). */
@Command(name = "rollout", mixinStandardHelpOptions = true,
    description = "Shows, approves or resumes the staged roll-out of a TrustDistribution (spec.rollout).",
    subcommands = {RolloutCommand.Status.class, RolloutCommand.Approve.class, RolloutCommand.Pause.class, RolloutCommand.Resume.class,
        RolloutCommand.Abort.class},
    footer = "%nExamples:%n  trustsync rollout status production%n  trustsync rollout approve production%n"
        + "  trustsync rollout resume production -n team-a%n%nExit codes: 0 done, 1 (status) not rolled out, 2 usage or cluster error.")
final class RolloutCommand implements Callable<Integer> {

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

    /** Sets (or with null removes) annotations and asks for a reconcile, in one merge patch. */
    static void annotate(io.fabric8.kubernetes.client.dsl.Resource<TrustDistribution> resource, String... keysAndValues) {
      var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
      var annotations = mapper.createObjectNode();
      for (int i = 0; i < keysAndValues.length; i += 2) {
        annotations.put(keysAndValues[i], keysAndValues[i + 1]);
      }
      annotations.put(ReconcileRequest.ANNOTATION, Instant.now().toString());
      var patch = mapper.createObjectNode();
      patch.putObject("metadata").set("annotations", annotations);
      resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
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
        out.println("no roll-out recorded yet (the operator has not reconciled the distribution, or it has no spec.rollout)");
        enforcement(distribution, out);
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
      enforcement(distribution, out);
      return "RolledOut".equals(rollout.state) ? 0 : 1;
    }
  }

  /** spec.enforcement: each scope's warn/deny counts, what deny waits for, and the images the audits report. */
  static void enforcement(TrustDistribution distribution, PrintWriter out) {
    var scopes = distribution.getStatus() == null ? null : distribution.getStatus().enforcement;
    if (scopes == null || scopes.isEmpty()) {
      return;
    }
    out.println();
    out.printf("%-20s %5s %5s %7s %11s  %s%n", "ENFORCEMENT", "WARN", "DENY", "DRYRUN", "VIOLATIONS", "WAITING FOR");
    for (var scope : scopes) {
      out.printf("%-20s %5d %5d %7d %11d  %s%n", scope.scope, scope.warn, scope.deny, scope.dryrun, scope.violations,
          scope.waitingFor == null ? "" : scope.waitingFor);
      for (var offender : scope.offenders) {
        out.printf("  %s %s/%s %s%n", offender.cluster, offender.namespace, offender.name,
            offender.image != null ? offender.image : offender.message);
      }
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
      annotate(resource, RolloutAnnotations.APPROVED_REVISION, approved);
      out.println("approved revision " + shortRevision(approved) + " for " + hub.namespace() + "/" + name);
      return 0;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stops the roll-out where it is: what moved stays, nothing new moves.")
  static final class Pause extends OnDistribution {
    @Override
    int run(TrustDistribution distribution, io.fabric8.kubernetes.client.dsl.Resource<TrustDistribution> resource, PrintWriter out) {
      annotate(resource, RolloutAnnotations.PAUSED, "true");
      out.println("paused the roll-out of " + hub.namespace() + "/" + name);
      return 0;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Continues a paused or halted roll-out (once the failure is fixed).")
  static final class Resume extends OnDistribution {
    @Override
    int run(TrustDistribution distribution, io.fabric8.kubernetes.client.dsl.Resource<TrustDistribution> resource, PrintWriter out) {
      var rollout = rollout(distribution);
      boolean halted = rollout != null && rollout.haltedAt != null;
      // the operator compares this with the haltedAt it wrote: a clock behind the operator's must still resume
      Instant resumedAt = Instant.now();
      if (halted) {
        Instant haltedAt = Instant.parse(rollout.haltedAt).plusSeconds(1);
        resumedAt = resumedAt.isAfter(haltedAt) ? resumedAt : haltedAt;
      }
      annotate(resource, RolloutAnnotations.PAUSED, null, RolloutAnnotations.RESUMED_AT, halted ? resumedAt.toString() : null);
      out.println("resumed the roll-out of revision " + shortRevision(rollout == null ? null : rollout.revision) + " for "
          + hub.namespace() + "/" + name);
      return 0;
    }
  }

  @Command(name = "abort", mixinStandardHelpOptions = true,
      description = "Aborts the roll-out of the revision rolling out: every cluster that took it goes back to the revision before.")
  static final class Abort extends OnDistribution {
    @Override
    int run(TrustDistribution distribution, io.fabric8.kubernetes.client.dsl.Resource<TrustDistribution> resource, PrintWriter out) {
      var rollout = rollout(distribution);
      if (rollout == null || rollout.revision == null) {
        throw new IllegalStateException("no roll-out of " + hub.namespace() + "/" + name + " is recorded yet");
      }
      annotate(resource, RolloutAnnotations.ABORTED_REVISION, rollout.revision);
      out.println("aborted the roll-out of revision " + shortRevision(rollout.revision) + " for " + hub.namespace() + "/" + name
          + "; clusters that took it go back to " + shortRevision(rollout.previousRevision));
      return 0;
    }
  }

  static String shortRevision(String revision) {
    return revision == null ? "-" : revision.length() > 12 ? revision.substring(0, 12) : revision;
  }
}
