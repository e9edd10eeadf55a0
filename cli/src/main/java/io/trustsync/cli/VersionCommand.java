package io.trustsync.cli;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Prints this command line's version and Git commit, and, when the hub is reachable, the operator's image there.",
    footer = {"", "Exit codes: 0 always when the client version could be printed, 2 usage error."})
final class VersionCommand implements Callable<Integer> {
  @CommandLine.Mixin HubOptions hub;

  @Option(names = "--client", description = "Only the command line's version; do not contact the hub.")
  boolean clientOnly;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    out.println("client:   trustsync " + BuildInfo.current().describe());
    if (!clientOnly) {
      out.println("operator: " + operator());
    }
    out.flush();
    return 0;
  }

  /** The Deployment the chart and manifests/hub create, in the namespace: its image and how many replicas are ready. */
  private String operator() {
    try (KubernetesClient client = hub.client(spec.commandLine())) {
      Deployment deployment = client.apps().deployments().inNamespace(hub.namespace()).withName("trustsync").get();
      if (deployment == null) {
        return "no deployment/trustsync in " + hub.namespace() + " (" + client.getMasterUrl() + ")";
      }
      String image = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
      Integer ready = deployment.getStatus() == null ? null : deployment.getStatus().getReadyReplicas();
      return image + " (" + (ready == null ? 0 : ready) + "/" + deployment.getSpec().getReplicas() + " replicas ready, " + hub.namespace() + ")";
    } catch (KubernetesClientException e) {
      return "not reachable: " + io.trustsync.operator.member.MemberErrors.describe(e);
    } catch (java.io.IOException e) {
      return "not reachable: " + e.getMessage();
    }
  }
}
