package io.trustsync.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.local.KubeBinaries;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.LocalRegistry;
import io.trustsync.operator.TrustSyncOperator;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.ProjectFolder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/install.md, run as written: every ```sh block, in order, in one bash each, against a real
 * hub and member (contexts hub and prod-eu-1) with the real helm and kubectl on PATH, except the
 * blocks the line above marks as not run here. There is no kubelet to start the chart's pods, so
 * between the Helm install and the uninstall this test runs the operator itself, as the chart's
 * ServiceAccount, in their place.
 */
class InstallDocIT {
  @RegisterExtension static final Fleet fleet = Fleet.dedicated(1);

  static final com.fasterxml.jackson.databind.ObjectMapper YAML = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
  static final Path DOC = ProjectFolder.root().resolve("docs/install.md");
  static final String NOT_RUN = "<!-- not run by InstallDocIT";

  @TempDir Path work;
  private LocalRegistry registry;

  /** The shell blocks of the document, and whether each is run here. */
  record Block(int line, String script, boolean run) {}

  static List<Block> blocks() throws Exception {
    List<String> lines = Files.readAllLines(DOC);
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).equals("```sh")) {
        continue;
      }
      int start = i;
      StringBuilder script = new StringBuilder();
      for (i++; !lines.get(i).equals("```"); i++) {
        script.append(lines.get(i)).append('\n');
      }
      boolean run = start == 0 || !lines.get(start - 1).startsWith(NOT_RUN);
      blocks.add(new Block(start + 1, script.toString(), run));
    }
    return blocks;
  }

  @Test
  void everyCommandOfTheInstallGuideWorksAsWritten() throws Exception {
    LocalControlPlane hub = fleet.hub();
    KubernetesClient admin = hub.client();
    // A fresh hub, as the guide assumes: no CRDs yet (the fleet installs them for other tests).
    for (String crd : HelmChartIT.CRDS) {
      Manifests.kubectl(hub, "delete", "crd", crd, "--ignore-not-found", "--wait=true");
    }
    Path folder = Files.createDirectories(work.resolve("checkout"));
    for (String name : List.of("charts", "manifests", "crds", "image")) {
      Files.createSymbolicLink(folder.resolve(name), ProjectFolder.root().resolve(name));
    }
    Path bin = Files.createDirectories(work.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("kubectl"), KubeBinaries.fromEnvironment().kubectl());
    Helm helm = Helm.forPlane(null, work.resolve("helm"));
    Files.createSymbolicLink(bin.resolve("helm"), helm.binary());
    Path kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, YAML.writeValueAsString(merged(List.of("hub", "prod-eu-1"), List.of(hub, fleet.member(0)))));

    List<Block> blocks = blocks();
    assertThat(blocks).filteredOn(Block::run).hasSizeGreaterThanOrEqualTo(6);
    Path registryBinary = Path.of(Helm.exec(List.of("bash", ProjectFolder.root().resolve("scripts/registry-cli.sh").toString()), null)
        .output().strip());
    try (LocalGitServer git = LocalGitServer.launch();
        LocalRegistry registry = LocalRegistry.start(registryBinary, work.resolve("registry"))) {
      this.registry = registry;
      LocalGitRepository repo = git.createRepository("trust-policies");
      String revision = repo.commit(Manifests.example());
      TrustSyncOperator operator = null;
      KubernetesClient asChart = hub.newClient(HelmChartIT.HUB_SA);
      try {
        for (Block block : blocks) {
          if (!block.run()) {
            continue;
          }
          if (block.script().contains("helm uninstall") && operator != null) {
            operator.close();
            operator = null;
          }
          String output = bash(block, folder, bin, kubeconfig, repo.httpUrl().toString());
          if (block.script().contains("helm install")) {
            // In place of the Deployment's pods: the operator under the chart's RBAC.
            operator = TrustSyncOperator.start(asChart, HelmChartIT.settings(work.resolve("cache"), "install-doc"));
          }
          if (block.script().contains("skopeo inspect")) {
            assertThat(output.strip().lines().toList().getLast()).as("the pushed image's digest, after %s", output)
                .isEqualTo(Files.readString(ProjectFolder.root().resolve("image/target/jib-image.digest")).strip());
          }
          if (block.script().contains("wait trustdistribution/production")) {
            assertThat(output).contains("condition met");
            assertThat(admin.resources(TrustDistribution.class).inNamespace("trustsync-system").withName("production").get()
                .getStatus().revision).isEqualTo(revision);
          }
        }
      } finally {
        if (operator != null) {
          operator.close();
        }
        asChart.close();
      }
    }
    assertThat(admin.apps().deployments().inNamespace("trustsync-system").withName("trustsync").get()).as("uninstalled").isNull();
    assertThat(admin.apiextensions().v1().customResourceDefinitions().withName("trustdistributions.trustsync.io").get())
        .as("the CRDs outlive the release").isNotNull();
    assertThat(folder.resolve("prod-eu-1.kubeconfig")).as("the guide removes the member's kubeconfig").doesNotExist();
  }

  private String bash(Block block, Path folder, Path bin, Path kubeconfig, String repoUrl) throws Exception {
    Path log = work.resolve("block-" + block.line() + ".log");
    ProcessBuilder builder = new ProcessBuilder("bash", "-euo", "pipefail", "-c", block.script()).directory(folder.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("REPO_URL", repoUrl);
    builder.environment().put("REGISTRY", registry.host());
    // skopeo, like every Go program, trusts the CAs in SSL_CERT_FILE: here the local registry's
    builder.environment().put("SSL_CERT_FILE", registry.certificateAuthorityFile().toString());
    builder.environment().put("HELM_CACHE_HOME", work.resolve("helm/cache").toString());
    builder.environment().put("HELM_CONFIG_HOME", work.resolve("helm/config").toString());
    builder.environment().put("HELM_DATA_HOME", work.resolve("helm/data").toString());
    Process process = builder.start();
    boolean finished = process.waitFor(5, TimeUnit.MINUTES);
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (!finished) {
      process.destroyForcibly();
    }
    assertThat(finished && process.exitValue() == 0)
        .as("docs/install.md line %d:\n%s\nprinted:\n%s", block.line(), block.script(), output).isTrue();
    return output;
  }

  /** One kubeconfig holding each control plane's administrator under the given context name. */
  private static JsonNode merged(List<String> names, List<LocalControlPlane> planes) throws Exception {
    ObjectNode merged = YAML.createObjectNode().put("apiVersion", "v1").put("kind", "Config");
    ArrayNode clusters = merged.putArray("clusters");
    ArrayNode users = merged.putArray("users");
    ArrayNode contexts = merged.putArray("contexts");
    for (int i = 0; i < names.size(); i++) {
      JsonNode one = YAML.readTree(planes.get(i).kubeconfig());
      String name = names.get(i);
      clusters.addObject().put("name", name).set("cluster", one.at("/clusters/0/cluster"));
      users.addObject().put("name", name + "-admin").set("user", one.at("/users/0/user"));
      contexts.addObject().put("name", name).putObject("context").put("cluster", name).put("user", name + "-admin");
    }
    merged.put("current-context", names.getFirst());
    return merged;
  }
}
