package io.trustsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustsync.status.Differences;
import io.trustsync.rendering.Ownership;
import io.trustsync.rendering.Profile;
import io.trustsync.rendering.RenderRequest;
import io.trustsync.rendering.RenderedObject;
import io.trustsync.rendering.Rendering;
import io.trustsync.validation.AcceptedEnvironment;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what applying a repository's environment would change in each live cluster: objects to create,",
      "fields to update, and owned objects that would be pruned. Changes nothing."
    },
    footer = {
      "",
      "Examples:",
      "  trustsync diff policy-repo-example --env production --namespace trust",
      "  trustsync diff policy-repo-example --env production --namespace trust --context eu-1 --context us-1",
      "",
      "Exit codes: 0 no changes, 1 changes (like kubectl diff), 2 usage, I/O or cluster error."
    })
final class DiffCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "REPOSITORY", description = "Policy repository root.")
  Path path;

  @Option(names = {"-e", "--env"}, required = true, paramLabel = "ENV", description = "Environment to compare.")
  String environment;

  @Option(names = {"-p", "--profile"}, defaultValue = "native", paramLabel = "PROFILE", description = "native, ratify-v1, ratify-v2, flux or notation. Default: ${DEFAULT-VALUE}.")
  String profile;

  @CommandLine.Mixin RatifyOptionsMixin ratify;

  @Option(names = {"-n", "--namespace"}, required = true, paramLabel = "NS", description = "Target namespace in the clusters.")
  String namespace;

  @Option(names = "--distribution", paramLabel = "NAMESPACE/NAME",
      description = "The TrustDistribution whose objects these are: prune is predicted from its ownership label, as the operator prunes."
          + " Default: objects labelled managed-by trustsync for the environment.")
  String distribution;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "kubeconfig file. Default: $KUBECONFIG or ~/.kube/config.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "A cluster to compare (repeatable). Default: the current context.")
  List<String> contexts;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  private String ownerLabel;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Profile chosen = AcceptedInput.profile(spec, profile);
    var options = ratify.options(spec);
    AcceptedEnvironment accepted = AcceptedInput.environment(spec, path, environment, "nothing to compare");
    if (accepted == null) {
      return 2;
    }
    String owner = null;
    if (distribution != null) {
      int slash = distribution.indexOf('/');
      if (slash <= 0 || slash == distribution.length() - 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--distribution: '" + distribution + "' is not NAMESPACE/NAME");
      }
      owner = Ownership.distributionLabel(distribution.substring(0, slash), distribution.substring(slash + 1));
    }
    List<String> targets = contexts == null || contexts.isEmpty() ? java.util.Collections.singletonList(null) : contexts;
    if (contexts != null && !contexts.isEmpty()) {
      HubOptions.checkContexts(spec.commandLine(), kubeconfig, contexts, "--context");
    }
    boolean changes = false;
    List<String> failed = new ArrayList<>();
    for (String context : targets) {
      String name = context != null ? context : "current context";
      Config config = HubOptions.config(kubeconfig, context);
      out.println("=== " + name + " (" + config.getMasterUrl() + ")");
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        // Without --distribution, the objects carry the label of the distribution that applied them:
        // rendered with it, unchanged objects hash exactly as the operator's do.
        ownerLabel = owner != null ? owner : liveOwner(client);
        Rendering rendering = chosen.render(new RenderRequest(environment, accepted.policy(), accepted.stores(), null, namespace,
            ownerLabel == null ? Map.of() : Map.of(Ownership.DISTRIBUTION, ownerLabel), options));
        List<String> lines = compare(client, rendering.objects());
        lines.forEach(out::println);
        if (lines.isEmpty()) {
          out.println("  no changes");
        }
        changes |= !lines.isEmpty();
      } catch (KubernetesClientException e) {
        // One cluster that cannot be read does not hide what the others would get.
        out.println("  ! cannot read " + name + ": " + io.trustsync.operator.member.MemberErrors.describe(e));
        failed.add(name);
      }
    }
    out.flush();
    if (!failed.isEmpty()) {
      spec.commandLine().getErr().println("trustsync: could not compare " + String.join(", ", failed) + "; the other clusters are shown above");
      return 2;
    }
    return changes ? 1 : 0;
  }

  /** The distribution label the environment's objects in the namespace carry, when exactly one does. */
  private String liveOwner(KubernetesClient client) {
    Set<String> owners = new java.util.TreeSet<>();
    for (io.trustsync.rendering.RenderedKind renderedKind : io.trustsync.rendering.RenderedKind.ALL) {
      ResourceDefinitionContext kind = context(renderedKind.apiVersion(), renderedKind.kind());
      var resources = client.genericKubernetesResources(kind);
      var scoped = renderedKind.namespaced() ? resources.inNamespace(namespace) : resources;
      try {
        for (GenericKubernetesResource live : scoped.withLabel(Ownership.MANAGED_BY, Ownership.MANAGER)
            .withLabel(Ownership.ENVIRONMENT, environment).list().getItems()) {
          String label = live.getMetadata().getLabels().get(Ownership.DISTRIBUTION);
          if (label != null) {
            owners.add(label);
          }
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
    return owners.size() == 1 ? owners.iterator().next() : null;
  }

  private List<String> compare(KubernetesClient client, List<RenderedObject> objects) {
    List<String> lines = new ArrayList<>();
    Set<String> desired = new HashSet<>();
    for (RenderedObject object : objects) {
      desired.add(object.id());
      ResourceDefinitionContext kind = context(object.apiVersion(), object.kind());
      GenericKubernetesResource live = get(client, kind, object);
      if (live == null) {
        lines.add("  + create " + object.id());
        continue;
      }
      JsonNode liveJson = Serialization.jsonMapper().valueToTree(live);
      List<String> fields = Differences.between(object.manifest(), null, liveJson);
      if (!fields.isEmpty()) {
        lines.add("  ~ update " + object.id());
        for (String field : fields) {
          lines.add("      " + field + ": " + shown(liveJson.at(field)) + " -> " + shown(object.manifest().at(field)));
        }
      }
    }
    // every kind any profile renders, as the operator prunes after a profile change too
    for (io.trustsync.rendering.RenderedKind renderedKind : io.trustsync.rendering.RenderedKind.ALL) {
      ResourceDefinitionContext kind = context(renderedKind.apiVersion(), renderedKind.kind());
      var resources = client.genericKubernetesResources(kind);
      var scoped = renderedKind.namespaced() ? resources.inNamespace(namespace) : resources;
      List<GenericKubernetesResource> owned;
      try {
        owned = ownerLabel != null ? scoped.withLabel(Ownership.DISTRIBUTION, ownerLabel).list().getItems()
            : scoped.withLabel(Ownership.MANAGED_BY, Ownership.MANAGER).withLabel(Ownership.ENVIRONMENT, environment).list().getItems();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          continue; // that kind is not installed: nothing of it to prune
        }
        throw e;
      }
      for (GenericKubernetesResource live : owned) {
        String id = live.getMetadata().getNamespace() == null ? live.getKind() + "/" + live.getMetadata().getName()
            : live.getKind() + "/" + live.getMetadata().getNamespace() + "/" + live.getMetadata().getName();
        if (!desired.contains(id)) {
          lines.add("  - prune  " + id);
        }
      }
    }
    return lines;
  }

  /** A value as JSON, shortened; "(none)" where the field is absent. */
  private static String shown(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return "(none)";
    }
    String json = value.toString();
    return json.length() <= 100 ? json : json.substring(0, 97) + "...";
  }

  private GenericKubernetesResource get(KubernetesClient client, ResourceDefinitionContext kind, RenderedObject object) {
    try {
      var resources = client.genericKubernetesResources(kind);
      return (object.namespace() != null ? resources.inNamespace(object.namespace()) : resources).withName(object.name()).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return null; // the kind itself is not installed: everything would be created
      }
      throw e;
    }
  }

  private static ResourceDefinitionContext context(String apiVersion, String kind) {
    var k = io.trustsync.rendering.RenderedKind.of(apiVersion, kind);
    return new ResourceDefinitionContext.Builder().withGroup(k.group()).withVersion(k.version()).withKind(k.kind())
        .withPlural(k.plural()).withNamespaced(k.namespaced()).build();
  }
}
