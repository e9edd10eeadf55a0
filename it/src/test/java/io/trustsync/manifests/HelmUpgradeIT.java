package io.trustsync.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.ProjectFolder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading an install whose CRDs are an earlier version's: `helm upgrade` updates them (the chart
 * keeps its CRDs in templates, which Helm upgrades, not in crds/, which it never does), the objects
 * created under the old schema are still served, and the new fields are accepted afterwards.
 */
class HelmUpgradeIT {
  // Its own hub: the CRDs are removed and reinstalled here.
  @RegisterExtension static final Fleet fleet = Fleet.dedicated(0);

  /**
   * The CRDs as the fleet-runtime release left them (before the flux and notation profiles and
   * spec.ratify): version N of this test.
   */
  static final String VERSION_N_COMMIT = "09ada99";
  static final String NS = "trustsync-system";

  @Test
  void anUpgradeFromTheEarlierCrdsKeepsTheirObjectsAndServesTheNewFields(@TempDir Path work) throws Exception {
    LocalControlPlane hub = fleet.hub();
    KubernetesClient admin = hub.client();
    for (String crd : HelmChartIT.CRDS) {
      Manifests.kubectl(hub, "delete", "crd", crd, "--ignore-not-found", "--wait=true");
    }
    Path versionN = earlierChart(work.resolve("trustsync-0.0.9"));
    Helm helm = Helm.forPlane(hub, work.resolve("helm"));

    helm.run("install", "trustsync", versionN.toString(), "-n", NS, "--create-namespace");
    Manifests.kubectl(hub, "wait", "--for=condition=Established", "crd/trustdistributions.trustsync.io", "--timeout=60s");
    Manifests.kubectl(hub, "apply", "-f", write(work.resolve("old.yaml"), distribution("before-upgrade", "ratify-v1", "")).toString());
    Manifests.Result refused = Manifests.kubectlResult(hub, "apply", "-f",
        write(work.resolve("flux-before.yaml"), distribution("flux-too-early", "flux", "")).toString());
    assertThat(refused.exitCode()).as("version N's CRD does not know the flux profile: %s", refused.output()).isNotZero();

    helm.run("upgrade", "trustsync", Helm.CHART.toString(), "-n", NS);

    GenericKubernetesResource old = admin.genericKubernetesResources("trustsync.io/v1alpha1", "TrustDistribution").inNamespace(NS)
        .withName("before-upgrade").get();
    assertThat(old).as("the object created under version N is still served").isNotNull();
    assertThat(old.getAdditionalProperties()).extracting("spec").asString().contains("ratify-v1");
    Manifests.kubectl(hub, "apply", "-f", write(work.resolve("new.yaml"), distribution("after-upgrade", "ratify-v2",
        "  ratify:\n    apiVersion: config.ratify.sh/v2beta1\n")).toString());
    Manifests.kubectl(hub, "apply", "-f", write(work.resolve("flux-after.yaml"), distribution("flux-now", "flux", "")).toString());
    GenericKubernetesResource upgraded = admin.genericKubernetesResources("trustsync.io/v1alpha1", "TrustDistribution").inNamespace(NS)
        .withName("after-upgrade").get();
    assertThat(upgraded.getAdditionalProperties()).extracting("spec").asString().contains("v2beta1");
    assertThat(admin.apiextensions().v1().customResourceDefinitions().withName("azureclusterdiscoveries.trustsync.io").get())
        .as("a CRD added since version N is created by the upgrade").isNotNull();
    // Still Helm's: the upgraded CRD carries the release's labels and the keep policy.
    var crd = admin.apiextensions().v1().customResourceDefinitions().withName("trustdistributions.trustsync.io").get();
    assertThat(crd.getMetadata().getLabels()).containsEntry("helm.sh/chart", "trustsync-0.1.0");
    assertThat(crd.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
  }

  /** This chart with version N's CRDs and version number: what a user installed before upgrading. */
  private static Path earlierChart(Path target) throws Exception {
    try (Stream<Path> files = Files.walk(Helm.CHART, FileVisitOption.FOLLOW_LINKS)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path copy = target.resolve(Helm.CHART.relativize(file).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy);
      }
    }
    String versionNCrds = git("ls-tree", "--name-only", VERSION_N_COMMIT, "crds/");
    for (String crd : HelmChartIT.CRDS) {
      Path copy = target.resolve("files/crds/" + crd + ".yaml");
      if (versionNCrds.contains("crds/" + crd + ".yaml")) {
        Files.writeString(copy, git("show", VERSION_N_COMMIT + ":crds/" + crd + ".yaml"));
      } else {
        Files.delete(copy); // a kind added since version N: the upgrade creates its CRD
      }
    }
    Path chart = target.resolve("Chart.yaml");
    Files.writeString(chart, Files.readString(chart).replace("version: 0.1.0", "version: 0.0.9")
        .replace("appVersion: \"0.1.0-SNAPSHOT\"", "appVersion: \"0.0.9\""));
    return target;
  }

  private static String distribution(String name, String profile, String extra) {
    return """
        apiVersion: trustsync.io/v1alpha1
        kind: TrustDistribution
        metadata:
          name: %s
          namespace: %s
        spec:
          sourceRef:
            name: policies
          environment: production
          targetNamespace: trust-%s
          profile: %s
        %s""".formatted(name, NS, name, profile, extra);
  }

  private static Path write(Path file, String content) throws Exception {
    Files.writeString(file, content);
    return file;
  }

  private static String git(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", ProjectFolder.root().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0).as("git %s: %s", List.of(args), out).isTrue();
    return out;
  }
}
