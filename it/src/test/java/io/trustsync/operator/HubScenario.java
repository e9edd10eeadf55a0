package io.trustsync.operator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.SecretReference;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionSpec;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterSpec;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceSpec;
import io.trustsync.local.GitCommit;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.testing.ProjectFolder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One test's corner of the hub: its own namespace (namespaces never finish deleting without a
 * controller-manager, so every test gets a fresh one), member registrations and the resources a
 * platform team would create.
 */
final class HubScenario {
  final KubernetesClient hub;
  final String namespace;

  HubScenario(LocalControlPlane hubPlane, String prefix) {
    this.hub = hubPlane.client();
    this.namespace = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    hub.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
  }

  /** Registers each member as a MemberCluster named like its control plane, with a kubeconfig Secret. */
  void registerMembers(List<LocalControlPlane> members, Map<String, String> labels) {
    registerMembers(members, labels, null);
  }

  /**
   * Registers each member with a kubeconfig for {@code user} (a cluster administrator), so the
   * members' audit logs tell this scenario's requests from every other's; null: the admin's.
   */
  void registerMembers(List<LocalControlPlane> members, Map<String, String> labels, String user) {
    for (LocalControlPlane member : members) {
      secret(member.name() + "-kubeconfig", Map.of("kubeconfig", user == null ? member.kubeconfig() : member.kubeconfig(user, "system:masters")));
      MemberCluster cluster = new MemberCluster();
      cluster.setMetadata(new ObjectMetaBuilder().withName(member.name()).withNamespace(namespace).withLabels(labels).build());
      cluster.setSpec(new MemberClusterSpec());
      cluster.getSpec().kubeconfigSecretRef = new MemberClusterSpec.KubeconfigSecretReference();
      cluster.getSpec().kubeconfigSecretRef.name = member.name() + "-kubeconfig";
      cluster.getSpec().probeInterval = "2s";
      hub.resource(cluster).create();
    }
  }

  /** Registers {@code plane} as a MemberCluster named {@code name}: one API server may stand for several clusters. */
  void registerMember(String name, LocalControlPlane plane, Map<String, String> labels) {
    secret(name + "-kubeconfig", Map.of("kubeconfig", plane.kubeconfig()));
    MemberCluster cluster = new MemberCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).withLabels(labels).build());
    cluster.setSpec(new MemberClusterSpec());
    cluster.getSpec().kubeconfigSecretRef = new MemberClusterSpec.KubeconfigSecretReference();
    cluster.getSpec().kubeconfigSecretRef.name = name + "-kubeconfig";
    cluster.getSpec().probeInterval = "2s";
    hub.resource(cluster).create();
  }

  void secret(String name, Map<String, String> data) {
    hub.secrets().inNamespace(namespace).resource(new SecretBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withStringData(data).build()).serverSideApply();
  }

  PolicySource source(String name, String url, Consumer<PolicySourceSpec> customize) {
    PolicySource source = new PolicySource();
    source.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    PolicySourceSpec spec = new PolicySourceSpec();
    spec.url = url;
    spec.interval = "2s";
    customize.accept(spec);
    source.setSpec(spec);
    return hub.resource(source).create();
  }

  /** A PolicySource over HTTPS, trusting the Git server's CA through a {@code ca.crt} Secret, as a real one would. */
  PolicySource httpsSource(String name, io.trustsync.local.LocalGitServer git, io.trustsync.local.LocalGitRepository repo,
      Consumer<PolicySourceSpec> customize) {
    secret(name + "-git", Map.of("ca.crt", git.certificateAuthorityPem()));
    return source(name, repo.httpsUrl().toString(), spec -> {
      spec.secretRef = ref(name + "-git");
      customize.accept(spec);
    });
  }

  /** Registers a MemberCluster whose kubeconfig Secret holds exactly this text. */
  MemberCluster member(String name, String kubeconfig) {
    secret(name + "-kubeconfig", Map.of("kubeconfig", kubeconfig));
    MemberCluster cluster = new MemberCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    cluster.setSpec(new MemberClusterSpec());
    cluster.getSpec().kubeconfigSecretRef = new MemberClusterSpec.KubeconfigSecretReference();
    cluster.getSpec().kubeconfigSecretRef.name = name + "-kubeconfig";
    cluster.getSpec().probeInterval = "2s";
    return hub.resource(cluster).create();
  }

  /** Registers the hub itself as a MemberCluster ({@code spec.hub: true}). */
  MemberCluster hubMember(String name) {
    MemberCluster cluster = new MemberCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    cluster.setSpec(new MemberClusterSpec());
    cluster.getSpec().hub = true;
    cluster.getSpec().probeInterval = "2s";
    return hub.resource(cluster).create();
  }

  MemberCluster member(String name) {
    return hub.resources(MemberCluster.class).inNamespace(namespace).withName(name).get();
  }

  static io.fabric8.kubernetes.api.model.Condition condition(MemberCluster cluster, String type) {
    if (cluster == null || cluster.getStatus() == null || cluster.getStatus().conditions == null) {
      return null;
    }
    return cluster.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /** Every event message in this namespace, for checking what leaked into them. */
  List<String> eventMessages() {
    return hub.v1().events().inNamespace(namespace).list().getItems().stream().map(e -> e.getReason() + ": " + e.getMessage()).toList();
  }

  TrustDistribution distribution(String name, String environment, String targetNamespace, Consumer<TrustDistributionSpec> customize) {
    TrustDistribution distribution = new TrustDistribution();
    distribution.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    TrustDistributionSpec spec = new TrustDistributionSpec();
    spec.sourceRef = new TrustDistributionSpec.SourceReference();
    spec.sourceRef.name = "policies";
    spec.environment = environment;
    spec.targetNamespace = targetNamespace;
    customize.accept(spec);
    distribution.setSpec(spec);
    return hub.resource(distribution).create();
  }

  TrustDistribution distribution(String name) {
    return hub.resources(TrustDistribution.class).inNamespace(namespace).withName(name).get();
  }

  PolicySource source(String name) {
    return hub.resources(PolicySource.class).inNamespace(namespace).withName(name).get();
  }

  /** The source's last accepted revision, null while it has none (or no status yet). */
  String accepted(String name) {
    PolicySource source = source(name);
    return source == null || source.getStatus() == null ? null : source.getStatus().lastAcceptedRevision;
  }

  static io.fabric8.kubernetes.api.model.Condition condition(io.trustsync.crd.azure.AzureClusterDiscovery discovery, String type) {
    if (discovery == null || discovery.getStatus() == null || discovery.getStatus().conditions == null) {
      return null;
    }
    return discovery.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  static String condition(TrustDistribution distribution, String type) {
    if (distribution == null || distribution.getStatus() == null) {
      return null;
    }
    return distribution.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).map(c -> c.getStatus()).findFirst().orElse(null);
  }

  static io.fabric8.kubernetes.api.model.Condition condition(PolicySource source, String type) {
    if (source == null || source.getStatus() == null) {
      return null;
    }
    return source.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  static boolean ready(TrustDistribution distribution, String revision) {
    return "True".equals(condition(distribution, "Ready")) && revision.equals(distribution.getStatus().revision)
        && distribution.getStatus().observedGeneration.equals(distribution.getMetadata().getGeneration());
  }

  static GenericKubernetesResource trustPolicy(KubernetesClient member, String namespace, String name) {
    return member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(namespace).withName(name).get();
  }

  /** The content digest an object carries; objects carry no revision, their target's status does. */
  static String contentOf(GenericKubernetesResource object) {
    return object == null ? null : object.getMetadata().getAnnotations().get("trustsync.io/content-hash");
  }

  /** The target of one distribution in one member cluster. */
  io.trustsync.crd.target.TrustDistributionTarget target(String distribution, String member) {
    return hub.resources(io.trustsync.crd.target.TrustDistributionTarget.class).inNamespace(namespace)
        .withName(io.trustsync.operator.target.TargetNames.target(distribution, member)).get();
  }

  /** The revision a member holds for a distribution, as its target reports it (null: none yet). */
  String appliedRevision(String distribution, String member) {
    var target = target(distribution, member);
    return target == null || target.getStatus() == null ? null : target.getStatus().appliedRevision;
  }

  /** A TrustPolicy's trust policy document as text, to check what a member holds. */
  static String policyText(GenericKubernetesResource object) {
    return object == null ? null : String.valueOf(object.getAdditionalProperties().get("spec"));
  }

  /** The shipped example repository as a commit, with files replaced or removed (null content). */
  static GitCommit example(Map<String, String> changes) {
    GitCommit base = GitCommit.fromDirectory(ProjectFolder.root().resolve("policy-repo-example"));
    SortedMap<String, byte[]> files = new TreeMap<>(base.files());
    files.keySet().removeIf(path -> path.startsWith("scripts/") || path.endsWith(".gitignore"));
    changes.forEach((path, content) -> {
      if (content == null) {
        files.keySet().removeIf(p -> p.equals(path) || p.startsWith(path + "/"));
      } else {
        files.put(path, content.getBytes(StandardCharsets.UTF_8));
      }
    });
    return new GitCommit(files, base.message(), base.authorName(), base.authorEmail(), base.when(), null);
  }

  static String exampleFile(String path) {
    try {
      return java.nio.file.Files.readString(ProjectFolder.root().resolve("policy-repo-example").resolve(path));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static SecretReference ref(String name) {
    return new SecretReference(name);
  }
}
