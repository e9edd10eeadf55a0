package io.trustsync.manifests;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.local.KubeBinaries;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.testing.ProjectFolder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** manifests/ as a user deploys it: rendered by the real kubectl, applied to a real API server. */
public final class Manifests {
  static final String FIELD_MANAGER = "trustsync-manifests-test";

  private Manifests() {}

  static Path folder(String name) {
    return ProjectFolder.root().resolve("manifests").resolve(name);
  }

  /** {@code kubectl kustomize manifests/<name>}: what {@code kubectl apply -k} would send. */
  public static String kustomize(String name) {
    return kubectl(null, "kustomize", folder(name).toString());
  }

  public static List<HasMetadata> load(KubernetesClient client, String yaml) {
    return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
  }

  static List<HasMetadata> load(KubernetesClient client, Path file) {
    try {
      return load(client, Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Applies for real (server-side apply as an administrator), CRDs first. */
  public static void apply(LocalControlPlane plane, List<HasMetadata> objects) {
    KubernetesClient admin = plane.client();
    List<HasMetadata> ordered = new ArrayList<>(objects);
    ordered.sort((a, b) -> Integer.compare(order(a), order(b)));
    for (HasMetadata object : ordered) {
      admin.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
  }

  private static int order(HasMetadata object) {
    return switch (object.getKind()) {
      case "Namespace", "CustomResourceDefinition" -> 0;
      default -> 1;
    };
  }

  /** policy-repo-example as its own repository holds it (without its CI scripts), committed now, with {@code changes}. */
  static io.trustsync.local.GitCommit example(Map<String, String> changes) {
    io.trustsync.local.GitCommit base = io.trustsync.local.GitCommit.fromDirectory(ProjectFolder.root().resolve("policy-repo-example"));
    java.util.SortedMap<String, byte[]> files = new java.util.TreeMap<>(base.files());
    files.keySet().removeIf(path -> path.startsWith("scripts/") || path.endsWith(".gitignore"));
    changes.forEach((path, content) -> files.put(path, content.getBytes(StandardCharsets.UTF_8)));
    return new io.trustsync.local.GitCommit(files, base.message(), base.authorName(), base.authorEmail(), java.time.Instant.now(), null);
  }

  static io.trustsync.local.GitCommit example() {
    return example(Map.of());
  }

  /**
   * What an administrator does in trustsync-system, per docs/install.md: a kubeconfig Secret for
   * member-0 as {@code memberUser}, the MemberCluster (environment=production), the PolicySource
   * {@code policies} at {@code repoUrl} and the TrustDistribution {@code production} into
   * {@code targetNamespace}.
   */
  static void registerProduction(KubernetesClient admin, LocalControlPlane member, String memberUser, String repoUrl, String targetNamespace) {
    String ns = "trustsync-system";
    admin.secrets().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("member-0-kubeconfig")
        .endMetadata().withStringData(Map.of("kubeconfig", member.kubeconfig(memberUser))).build()).serverSideApply();
    var cluster = new io.trustsync.crd.membercluster.MemberCluster();
    cluster.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("member-0").withNamespace(ns)
        .withLabels(Map.of("environment", "production")).build());
    cluster.setSpec(new io.trustsync.crd.membercluster.MemberClusterSpec());
    cluster.getSpec().kubeconfigSecretRef = new io.trustsync.crd.membercluster.MemberClusterSpec.KubeconfigSecretReference();
    cluster.getSpec().kubeconfigSecretRef.name = "member-0-kubeconfig";
    cluster.getSpec().probeInterval = "2s";
    admin.resource(cluster).create();
    var source = new io.trustsync.crd.policysource.PolicySource();
    source.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("policies").withNamespace(ns).build());
    source.setSpec(new io.trustsync.crd.policysource.PolicySourceSpec());
    source.getSpec().url = repoUrl;
    source.getSpec().interval = "2s";
    admin.resource(source).create();
    var distribution = new io.trustsync.crd.distribution.TrustDistribution();
    distribution.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("production").withNamespace(ns).build());
    distribution.setSpec(new io.trustsync.crd.distribution.TrustDistributionSpec());
    distribution.getSpec().sourceRef = new io.trustsync.crd.distribution.TrustDistributionSpec.SourceReference();
    distribution.getSpec().sourceRef.name = "policies";
    distribution.getSpec().environment = "production";
    distribution.getSpec().targetNamespace = targetNamespace;
    distribution.getSpec().clusterSelector = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
        .withMatchLabels(Map.of("environment", "production")).build();
    admin.resource(distribution).create();
  }

  /** Runs the real kubectl; with a control plane, as its administrator. Returns stdout; fails on a non-zero exit. */
  public static String kubectl(LocalControlPlane plane, String... args) {
    Result result = kubectlResult(plane, args);
    if (result.exitCode() != 0) {
      throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + result.exitCode() + ":\n" + result.output());
    }
    return result.output();
  }

  record Result(int exitCode, String output) {}

  static Result kubectlResult(LocalControlPlane plane, String... args) {
    try {
      List<String> command = new ArrayList<>();
      command.add(KubeBinaries.fromEnvironment().kubectl().toString());
      Path kubeconfig = null;
      if (plane != null) {
        kubeconfig = Files.createTempFile("kubeconfig-", ".yaml");
        Files.writeString(kubeconfig, plane.kubeconfig());
        command.add("--kubeconfig=" + kubeconfig);
      }
      command.addAll(List.of(args));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60s");
      }
      if (kubeconfig != null) {
        Files.deleteIfExists(kubeconfig);
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
