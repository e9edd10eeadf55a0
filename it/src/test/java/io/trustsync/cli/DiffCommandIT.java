package io.trustsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.ProjectFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** `trustsync diff` against a real API server: what applying would create, change and prune. */
class DiffCommandIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);


  @Test
  void showsCreatesUpdatesAndPrunesAndExitsZeroOnlyWhenNothingWouldChange(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("member.kubeconfig");
    Files.writeString(kubeconfig, fleet.member(0).kubeconfig());
    String example = ProjectFolder.root().resolve("policy-repo-example").toString();
    String namespace = "diff-" + Long.toHexString(System.nanoTime());
    String[] diff = {"diff", example, "--env", "production", "--namespace", namespace, "--kubeconfig", kubeconfig.toString()};

    CommandRun before = CommandRun.of(diff);
    assertThat(before.exitCode()).as(before.err()).isEqualTo(1);
    assertThat(before.out()).contains("+ create TrustPolicy/" + namespace + "/production", "+ create TrustStore/" + namespace + "/production-ca-acme-root");

    // Apply exactly what `render` prints, as `kubectl apply --server-side` would.
    CommandRun rendered = CommandRun.of("render", example, "--env", "production", "--namespace", namespace);
    KubernetesClient member = fleet.member(0).client();
    member.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    for (String document : rendered.out().split("(?m)^---\n")) {
      if (!document.isBlank()) {
        member.resource(Serialization.unmarshal(document, GenericKubernetesResource.class)).fieldManager("trustsync").forceConflicts().serverSideApply();
      }
    }
    CommandRun same = CommandRun.of(diff);
    assertThat(same.exitCode()).as(same.out() + same.err()).isZero();
    assertThat(same.out()).contains("no changes");

    var policies = member.genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(namespace);
    policies.withName("production").patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"replace\",\"path\":\"/spec/trustPolicies/0/signatureVerification/level\",\"value\":\"audit\"}]");
    GenericKubernetesResource extra = policies.withName("production").get();
    extra.getMetadata().setName("leftover");
    extra.getMetadata().setResourceVersion(null);
    extra.getMetadata().setUid(null);
    extra.getMetadata().setManagedFields(null);
    extra.getMetadata().setCreationTimestamp(null);
    member.resource(extra).create();

    CommandRun changed = CommandRun.of(diff);
    assertThat(changed.exitCode()).isEqualTo(1);
    assertThat(changed.out())
        .contains("~ update TrustPolicy/" + namespace + "/production\n      /spec/trustPolicies/0/signatureVerification/level: \"audit\" -> \"strict\"")
        .contains("- prune  TrustPolicy/" + namespace + "/leftover");
    assertThat(List.of(changed.out().split("\n"))).noneMatch(line -> line.contains("create"));
  }

  @Test
  void objectsTheOperatorAppliedAreUnchangedWithoutNamingTheirDistribution(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("member.kubeconfig");
    Files.writeString(kubeconfig, fleet.member(0).kubeconfig());
    Path example = ProjectFolder.root().resolve("policy-repo-example");
    String namespace = "diff-op-" + Long.toHexString(System.nanoTime());
    KubernetesClient member = fleet.member(0).client();
    member.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    // What the operator applies (operator Renderings): the distribution's label on every object, hashed with it.
    var report = io.trustsync.validation.RepositoryValidator.validate(io.trustsync.repository.RepositoryReader.read(example),
        io.trustsync.findings.ValidationOptions.at(java.time.Instant.now()));
    var production = report.environments().get("production");
    var rendering = io.trustsync.rendering.Profile.NATIVE.render(new io.trustsync.rendering.RenderRequest("production", production.policy(),
        production.stores(), null, namespace, java.util.Map.of(io.trustsync.rendering.Ownership.DISTRIBUTION,
            io.trustsync.rendering.Ownership.distributionLabel("trustsync-system", "production"))));
    for (var object : rendering.objects()) {
      member.resource(Serialization.unmarshal(object.manifest().toString(), GenericKubernetesResource.class))
          .fieldManager("trustsync").forceConflicts().serverSideApply();
    }

    CommandRun diff = CommandRun.of("diff", example.toString(), "--env", "production", "--namespace", namespace, "--kubeconfig", kubeconfig.toString());

    assertThat(diff.exitCode()).as(diff.out() + diff.err()).isZero();
    assertThat(diff.out()).contains("no changes").doesNotContain("content-hash");
  }

  @Test
  void anUnknownContextIsAnErrorAndAnUnreachableClusterDoesNotHideTheOthers(@TempDir Path dir) throws Exception {
    // Two contexts: member-0, and one whose API server is not there.
    var member = Serialization.yamlMapper().readTree(fleet.member(0).kubeconfig());
    var config = (com.fasterxml.jackson.databind.node.ObjectNode) Serialization.yamlMapper().readTree(fleet.member(0).kubeconfig());
    var clusters = config.putArray("clusters");
    var users = config.putArray("users");
    var contexts = config.putArray("contexts");
    for (String name : List.of("eu-1", "gone")) {
      var cluster = member.at("/clusters/0/cluster").deepCopy();
      if (name.equals("gone")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) cluster).put("server", "https://127.0.0.1:1");
      }
      clusters.addObject().put("name", name).set("cluster", cluster);
      users.addObject().put("name", name).set("user", member.at("/users/0/user"));
      contexts.addObject().put("name", name).putObject("context").put("cluster", name).put("user", name);
    }
    config.put("current-context", "eu-1");
    Path kubeconfig = dir.resolve("two.kubeconfig");
    Files.writeString(kubeconfig, Serialization.yamlMapper().writeValueAsString(config));
    String example = ProjectFolder.root().resolve("policy-repo-example").toString();
    String namespace = "diff-ctx-" + Long.toHexString(System.nanoTime());

    CommandRun unknown = CommandRun.of("diff", example, "--env", "production", "--namespace", namespace, "--kubeconfig", kubeconfig.toString(),
        "--context", "eu-1", "--context", "us-1");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("no context 'us-1'").contains("eu-1, gone");
    assertThat(unknown.out()).as("nothing compared under a wrong name").doesNotContain("===");

    CommandRun partly = CommandRun.of("diff", example, "--env", "production", "--namespace", namespace, "--kubeconfig", kubeconfig.toString(),
        "--context", "gone", "--context", "eu-1");
    assertThat(partly.exitCode()).as(partly.out() + partly.err()).isEqualTo(2);
    assertThat(partly.out()).contains("=== gone").contains("! cannot read gone")
        .contains("=== eu-1").contains("+ create TrustPolicy/" + namespace + "/production");
    assertThat(partly.err()).contains("could not compare gone");
  }
}
