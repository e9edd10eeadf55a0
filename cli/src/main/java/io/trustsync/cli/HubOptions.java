package io.trustsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How the everyday commands reach the hub: a kubeconfig and context, and the namespace of the TrustSync resources. */
final class HubOptions {
  static final String DEFAULT_NAMESPACE = "trustsync-system";

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "kubeconfig of the hub. Default: $KUBECONFIG or ~/.kube/config.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "kubeconfig context of the hub. Default: the current one.")
  String context;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace of the TrustSync resources. Default: " + DEFAULT_NAMESPACE + ".")
  String namespace;

  String namespace() {
    return namespace != null ? namespace : DEFAULT_NAMESPACE;
  }

  /** A client for the hub; an unknown --context is an error, never the current cluster under another name. */
  KubernetesClient client(CommandLine commandLine) throws IOException {
    if (context != null) {
      checkContexts(commandLine, kubeconfig, List.of(context), "--context");
    }
    return new KubernetesClientBuilder().withConfig(config(kubeconfig, context)).build();
  }

  /** The client configuration of {@code context} (null: the current one) in {@code kubeconfig}, or where kubectl looks. */
  static Config config(Path kubeconfig, String context) throws IOException {
    return kubeconfig != null
        ? Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString())
        : Config.autoConfigure(context);
  }

  /** Every name in {@code wanted} must be a context of the kubeconfig files kubectl would read. */
  static void checkContexts(CommandLine commandLine, Path kubeconfig, List<String> wanted, String option) throws IOException {
    List<Path> files = new ArrayList<>();
    String fromEnvironment = System.getenv("KUBECONFIG");
    if (kubeconfig != null) {
      files.add(kubeconfig);
    } else if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      for (String file : fromEnvironment.split(File.pathSeparator)) {
        if (!file.isBlank()) {
          files.add(Path.of(file));
        }
      }
    } else {
      files.add(Path.of(System.getProperty("user.home"), ".kube", "config"));
    }
    Set<String> known = new TreeSet<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    for (Path file : files) {
      if (Files.isRegularFile(file)) {
        JsonNode config = yaml.readTree(file.toFile());
        if (config != null) {
          config.path("contexts").forEach(c -> known.add(c.path("name").asText()));
        }
      }
    }
    List<String> unknown = wanted.stream().filter(c -> !known.contains(c)).toList();
    if (!unknown.isEmpty()) {
      throw new CommandLine.ParameterException(commandLine, option + ": no context "
          + String.join(", ", unknown.stream().map(c -> "'" + c + "'").toList()) + " in "
          + String.join(", ", files.stream().map(Path::toString).toList()) + "; the contexts there are "
          + (known.isEmpty() ? "none" : String.join(", ", known)));
    }
  }
}
