package io.trustsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.ProjectFolder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** `trustsync diff` against a real API server: what applying would create, change and prune. */
class DiffCommandIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = TrustSyncCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void showsCreatesUpdatesAndPrunesAndExitsZeroOnlyWhenNothingWouldChange(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("member.kubeconfig");
    Files.writeString(kubeconfig, fleet.member(0).kubeconfig());
    String example = ProjectFolder.root().resolve("policy-repo-example").toString();
    String namespace = "diff-" + Long.toHexString(System.nanoTime());
    String[] diff = {"diff", example, "--env", "production", "--namespace", namespace, "--kubeconfig", kubeconfig.toString()};

    Run before = run(diff);
    assertThat(before.exit()).as(before.err()).isEqualTo(1);
    assertThat(before.out()).contains("+ create TrustPolicy/" + namespace + "/production", "+ create TrustStore/" + namespace + "/production-ca-acme-root");

    // Apply exactly what `render` prints, as `kubectl apply --server-side` would.
    Run rendered = run("render", example, "--env", "production", "--namespace", namespace);
    KubernetesClient member = fleet.member(0).client();
    member.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    for (String document : rendered.out().split("(?m)^---\n")) {
      if (!document.isBlank()) {
        member.resource(Serialization.unmarshal(document, GenericKubernetesResource.class)).fieldManager("trustsync").forceConflicts().serverSideApply();
      }
    }
    Run same = run(diff);
    assertThat(same.exit()).as(same.out() + same.err()).isZero();
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

    Run changed = run(diff);
    assertThat(changed.exit()).isEqualTo(1);
    assertThat(changed.out())
        .contains("~ update TrustPolicy/" + namespace + "/production: /spec/trustPolicies/0/signatureVerification/level")
        .contains("- prune  TrustPolicy/" + namespace + "/leftover");
    assertThat(List.of(changed.out().split("\n"))).noneMatch(line -> line.contains("create"));
  }
}
