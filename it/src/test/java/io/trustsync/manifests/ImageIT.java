package io.trustsync.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.ContainerImage;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.ProjectFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image the build ships (image/target/trustsync-image.tar), taken apart and run with skopeo,
 * umoci and bubblewrap: what is in it, its version, the command line inside it, and its entrypoint
 * running the operator against a real API server with the hub ServiceAccount's identity until a
 * TrustDistribution is Ready.
 */
class ImageIT {
  @RegisterExtension static final Fleet fleet = Fleet.dedicated(1);

  static final String HUB_SA = "system:serviceaccount:trustsync-system:trustsync";
  static final String MEMBER_SA = "system:serviceaccount:trustsync-system:trustsync-member";

  @TempDir static Path work;
  static ContainerImage image;

  @BeforeAll
  static void unpack() throws Exception {
    image = ContainerImage.unpack(ContainerImage.archive(ProjectFolder.root()), work.resolve("image"));
  }

  @Test
  void holdsOnlyTheOperatorDistributionAndRunsAsNonRootWithoutAShell() {
    Path rootfs = image.rootfs();
    assertThat(image.uid()).isEqualTo(65532);
    assertThat(image.gid()).isEqualTo(65532);
    assertThat(image.files().stream().filter(p -> !p.contains("/")))
        .containsExactlyInAnyOrder("app", "etc", "home", "lib", "lib64", "opt", "tmp", "usr");
    List<Path> files = image.files().stream().map(rootfs::resolve).filter(Files::isRegularFile).toList();
    assertThat(files).as("no shell or package manager").noneMatch(p -> List.of("sh", "bash", "dash", "busybox", "apt", "dpkg")
        .contains(p.getFileName().toString()));
    assertThat(files).as("no set-user-ID or set-group-ID file").noneMatch(ImageIT::setId);
    List<String> jars = image.files().stream().filter(p -> p.startsWith("app/libs/")).map(p -> p.substring("app/libs/".length())).toList();
    assertThat(jars).contains("trustsync.jar").anyMatch(j -> j.startsWith("trustsync-operator-"));
    assertThat(jars).as("no test kit, Git server, CA, benchmark or test library")
        .noneMatch(j -> j.startsWith("trustsync-testkit") || j.startsWith("trustsync-it") || j.contains("jmh")
            || j.startsWith("junit") || j.startsWith("assertj") || j.startsWith("kube-api-test") || j.startsWith("awaitility"));
  }

  private static boolean setId(Path file) {
    try {
      return Files.getAttribute(file, "unix:mode") instanceof Integer mode && (mode & 06000) != 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  @Test
  void printsItsVersionAndTheCommitItWasBuiltFrom() throws Exception {
    String head = git("rev-parse", "HEAD");

    ContainerImage.Result version = image.run(List.of("--version"), List.of());

    assertThat(version.exitCode()).as(version.output()).isZero();
    assertThat(version.output()).startsWith("trustsync 0.1.0-SNAPSHOT (commit " + head);
  }

  @Test
  void validatesAPolicyRepositoryMountedIntoIt() throws Exception {
    // README's GitHub Actions step: docker run --rm -v "$PWD:/repo:ro" -w /repo IMAGE validate --format github .
    ContainerImage.Result run = image.run(List.of("validate", "--format", "github", "."),
        List.of(new ContainerImage.Mount(ProjectFolder.root().resolve("policy-repo-example"), "/repo", false)), "/repo");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("::warning file=environments/development/trustpolicy.json,line=43,col=9,title=notation.skipGlobalScope::");
    // UTF-8 output (the image's C.UTF-8 locale), as on a developer's terminal
    assertThat(run.output()).contains(".: 0 errors, 1 warning — accepted");
  }

  @Test
  void theEntrypointRunsTheOperatorAsTheHubServiceAccountUntilADistributionIsReady() throws Exception {
    LocalControlPlane hub = fleet.hub();
    LocalControlPlane member = fleet.member(0);
    Manifests.apply(hub, Manifests.load(hub.client(), Manifests.kustomize("hub")));
    Manifests.apply(member, Manifests.load(member.client(), Manifests.kustomize("member")));
    KubernetesClient admin = hub.client();
    String ns = "trustsync-system";
    Path config = Files.createDirectories(work.resolve("config"));
    Files.writeString(config.resolve("kubeconfig"), hub.kubeconfig(HUB_SA));
    Path cache = Files.createDirectories(work.resolve("cache"));
    Files.setPosixFilePermissions(cache, java.util.EnumSet.allOf(PosixFilePermission.class));

    try (LocalGitServer git = LocalGitServer.launch()) {
      LocalGitRepository repo = git.createRepository("image");
      String revision = repo.commit(Manifests.example());
      Manifests.registerProduction(admin, member, MEMBER_SA, repo.httpUrl().toString(), "trust-image");

      // The Deployment's arguments (manifests/hub/deployment.yaml), with loopback allowed for the
      // local Git server and member, and the kubeconfig a pod would get from its ServiceAccount.
      List<String> command = image.command(List.of("operator",
              "--kubeconfig", "/etc/trustsync/kubeconfig", "--namespace", ns, "--leader-election",
              "--cache-dir", "/var/cache/trustsync", "--metrics-address", "127.0.0.1:0", "--webhook-address", "none",
              "--allow-insecure-http", "--source-allow-cidr", "127.0.0.0/8", "--member-allow-cidr", "127.0.0.0/8",
              "--min-source-interval", "1s"),
          Map.of("POD_NAME", "trustsync-image-0", "POD_NAMESPACE", ns),
          List.of(new ContainerImage.Mount(config, "/etc/trustsync", false), new ContainerImage.Mount(cache, "/var/cache/trustsync", true)));
      Path log = work.resolve("operator.log");
      Process operator = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          assertThat(operator.isAlive()).as("the operator is running; its output:\n%s", Files.readString(log)).isTrue();
          TrustDistribution live = admin.resources(TrustDistribution.class).inNamespace(ns).withName("production").get();
          assertThat(live.getStatus()).as("status").isNotNull();
          assertThat(live.getStatus().revision).isEqualTo(revision);
          assertThat(live.getStatus().conditions).anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
        });
        assertThat(member.client().genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace("trust-image")
            .withName("production").get()).isNotNull();
        assertThat(admin.leases().inNamespace(ns).withName("trustsync-leader").get().getSpec().getHolderIdentity())
            .startsWith("trustsync-image-0");
      } finally {
        operator.destroy();
        if (!operator.waitFor(30, TimeUnit.SECONDS)) {
          operator.destroyForcibly();
        }
      }
    }
  }

  private static String git(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", ProjectFolder.root().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0).as(out).isTrue();
    return out;
  }
}
