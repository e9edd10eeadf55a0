package io.trustsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.local.ContainerImage;
import io.trustsync.local.LocalFleet;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "image",
    mixinStandardHelpOptions = true,
    description = {
      "Measures the built image (image/target/trustsync-image.tar): its size, compressed and unpacked, and, run",
      "with bubblewrap from its own configuration, the wall time of `--version`, of `validate policy-repo-example`",
      "and of the operator's start until /readyz answers 200 against a real local API server. One JSON line."
    },
    footer = {"", "Examples:", "  ./mvnw -q package -DskipTests -pl image -am && bin/trustsync bench image", "  bin/trustsync bench image --rounds 10"})
final class BenchImageCommand implements Callable<Integer> {
  @Option(names = "--rounds", defaultValue = "5", description = "Timed rounds of each. Default: ${DEFAULT-VALUE}.")
  int rounds;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path root = BenchColdStartCommand.projectRoot();
    Path archive = ContainerImage.archive(root);
    Path work = Files.createTempDirectory("trustsync-bench-image-");
    try {
      ContainerImage image = ContainerImage.unpack(archive, work.resolve("image"));
      ObjectNode result = new ObjectMapper().createObjectNode();
      result.put("archiveMb", mb(Files.size(archive)));
      result.put("layersCompressedMb", mb(compressedLayers(work.resolve("image/layout"))));
      result.put("unpackedMb", mb(size(image.rootfs())));
      result.put("runtimeMb", mb(size(image.rootfs().resolve("opt/java"))));
      result.put("applicationMb", mb(size(image.rootfs().resolve("app"))));
      result.put("versionMs", stats(times(() -> timed(image.command(List.of("--version"), Map.of(), List.of())))));
      List<ContainerImage.Mount> repo = List.of(new ContainerImage.Mount(root.resolve("policy-repo-example"), "/repo", false));
      result.put("validateExampleMs", stats(times(() -> timed(image.command(List.of("validate", "/repo"), Map.of(), repo)))));
      try (LocalFleet fleet = LocalFleet.start(0)) {
        fleet.installCrds(root.resolve("crds"));
        Path config = Files.createDirectories(work.resolve("config"));
        Files.writeString(config.resolve("kubeconfig"), fleet.hub().kubeconfig());
        fleet.hub().client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
            .withNewMetadata().withName("bench").endMetadata().build()).create();
        result.put("operatorReadyMs", stats(times(() -> operatorReady(image, config, work))));
      }
      result.put("rounds", rounds);
      result.put("uptimeLoad", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
      spec.commandLine().getOut().println(result);
      return 0;
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private interface Measure {
    double ms() throws Exception;
  }

  /** One untimed run (caches, page cache), then {@link #rounds} timed ones. */
  private List<Double> times(Measure measure) throws Exception {
    measure.ms();
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      times.add(measure.ms());
    }
    return times;
  }

  private static double timed(List<String> command) throws Exception {
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + new String(output, java.nio.charset.StandardCharsets.UTF_8));
    }
    return (System.nanoTime() - start) / 1e6;
  }

  /** From starting the image's entrypoint as the Deployment does to /readyz answering 200 (every informer started). */
  private static double operatorReady(ContainerImage image, Path config, Path work) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path cache = Files.createDirectories(work.resolve("cache-" + port));
    cache.toFile().setWritable(true, false);
    List<String> command = image.command(List.of("operator", "--kubeconfig", "/etc/trustsync/kubeconfig", "--namespace", "bench",
            "--cache-dir", "/var/cache/trustsync", "--metrics-address", "127.0.0.1:" + port, "--webhook-address", "none"),
        Map.of("POD_NAME", "bench-" + port, "POD_NAMESPACE", "bench"),
        List.of(new ContainerImage.Mount(config, "/etc/trustsync", false), new ContainerImage.Mount(cache, "/var/cache/trustsync", true)));
    Path log = work.resolve("operator-" + port + ".log");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = start + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the operator exited " + process.exitValue() + ":\n" + Files.readString(log));
        }
        try {
          HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
              .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() == 200) {
            return (System.nanoTime() - start) / 1e6;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(20);
      }
      throw new IllegalStateException("/readyz did not answer 200 within 120 s:\n" + Files.readString(log));
    } finally {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static ObjectNode stats(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    ObjectNode node = new ObjectMapper().createObjectNode();
    node.put("median", Math.round(sorted.get(sorted.size() / 2)));
    node.put("min", Math.round(sorted.getFirst()));
    node.put("max", Math.round(sorted.getLast()));
    return node;
  }

  /** The sizes of the image's layer blobs, as a registry stores and a node pulls them (from the OCI layout skopeo wrote). */
  private static long compressedLayers(Path layout) throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode index = json.readTree(layout.resolve("index.json").toFile());
    Path manifest = layout.resolve("blobs/sha256").resolve(index.at("/manifests/0/digest").asText().substring("sha256:".length()));
    long total = 0;
    for (JsonNode layer : json.readTree(manifest.toFile()).get("layers")) {
      total += layer.get("size").asLong();
    }
    return total;
  }

  private static long size(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static double mb(long bytes) {
    return Math.round(bytes / 1e5) / 10.0;
  }
}
