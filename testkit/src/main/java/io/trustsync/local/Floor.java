package io.trustsync.local;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.trustsync.operator.shared.BundledCrds;
import io.trustsync.operator.target.TargetNames;
import io.trustsync.rendering.Profile;
import io.trustsync.rendering.RenderRequest;
import io.trustsync.rendering.RenderedKind;
import io.trustsync.rendering.RenderedObject;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.validation.ValidationReport;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The floor of the operator benchmark: what applying a commit's objects to every cluster costs
 * with no operator at all. One fabric8 client per cluster with that cluster's own credentials, on
 * one shared Vert.x like the operator's member clients, {@link OperatorBenchmark#CONCURRENCY}
 * threads, and a server-side apply of each rendered object: the same objects, the same clusters,
 * the same concurrency, nothing else (no fetch, no validation, no status, no watches).
 */
final class Floor {
  private static final String POLICY = "environments/production/trustpolicy.json";
  private final Map<String, String> kubeconfigs;
  private final boolean shared;

  Floor(Map<String, String> kubeconfigs, boolean shared) {
    this.kubeconfigs = kubeconfigs;
    this.shared = shared;
  }

  /** One warm-up round (namespaces, CRDs, connections), then {@code rounds} timed rounds; the duration of each, in ms. */
  List<Double> measure(SortedMap<String, byte[]> files, String basePolicy, int rounds, Consumer<String> progress) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
        .setUseDaemonThread(true));
    ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
    ExecutorService writers = Executors.newFixedThreadPool(OperatorBenchmark.CONCURRENCY);
    Map<String, KubernetesClient> clients = new LinkedHashMap<>();
    try {
      VertxHttpClientFactory factory = new VertxHttpClientFactory(vertx);
      kubeconfigs.forEach((name, kubeconfig) -> clients.put(name, new KubernetesClientBuilder().withHttpClientFactory(factory)
          .withTaskExecutor(tasks).withConfig(Config.fromKubeconfig(kubeconfig)).build()));
      prepare(clients, writers);
      round(clients, writers, files, basePolicy, -1);
      List<Double> durations = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        durations.add(round(clients, writers, files, basePolicy, i));
      }
      progress.accept("floor (bare fabric8 server-side apply, " + OperatorBenchmark.CONCURRENCY + " threads) over " + rounds + " rounds measured");
      return durations;
    } finally {
      clients.values().forEach(KubernetesClient::close);
      writers.shutdownNow();
      tasks.shutdownNow();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private String namespace(String cluster) {
    return shared ? "floor-" + cluster : "floor";
  }

  /** Namespaces and the native CRDs exist before anything is timed. */
  private void prepare(Map<String, KubernetesClient> clients, ExecutorService writers) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (var entry : clients.entrySet()) {
      done.add(writers.submit(() -> {
        KubernetesClient client = entry.getValue();
        for (String crd : List.of("truststores.trustsync.io", "trustpolicies.trustsync.io")) {
          var crds = client.apiextensions().v1().customResourceDefinitions();
          if (crds.withName(crd).get() == null) {
            try {
              crds.resource(BundledCrds.load(crd)).create();
            } catch (KubernetesClientException e) {
              if (e.getCode() != 409) {
                throw e;
              }
            }
            crds.withName(crd).waitUntilCondition(BundledCrds::established, 30, TimeUnit.SECONDS);
          }
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace(entry.getKey())).endMetadata().build())
            .serverSideApply();
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
  }

  /** Applies round {@code i}'s objects to every cluster; returns how long that took, in ms (rendering excluded). */
  private double round(Map<String, KubernetesClient> clients, ExecutorService writers, SortedMap<String, byte[]> files, String basePolicy, int i)
      throws Exception {
    AcceptedEnvironment environment = environment(files, i < 0 ? basePolicy : basePolicy.replace("\"acme.azurecr.io/storefront/web\"",
        "\"acme.azurecr.io/storefront/web\",\n        \"acme.azurecr.io/floor/app-" + i + "\""));
    Map<String, List<GenericKubernetesResource>> objects = new LinkedHashMap<>();
    var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    for (String cluster : clients.keySet()) {
      List<GenericKubernetesResource> rendered = new ArrayList<>();
      for (RenderedObject object : Profile.NATIVE.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), null,
          namespace(cluster), Map.of(TargetNames.DISTRIBUTION_LABEL, "floor"))).objects()) {
        rendered.add(mapper.convertValue(object.manifest(), GenericKubernetesResource.class));
      }
      objects.put(cluster, rendered);
    }
    Instant start = Instant.now();
    List<Future<?>> done = new ArrayList<>();
    for (var entry : clients.entrySet()) {
      done.add(writers.submit(() -> {
        for (GenericKubernetesResource object : objects.get(entry.getKey())) {
          RenderedKind kind = RenderedKind.of(object.getApiVersion(), object.getKind());
          entry.getValue().genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup(kind.group())
                  .withVersion(kind.version()).withKind(kind.kind()).withPlural(kind.plural()).withNamespaced(kind.namespaced()).build())
              .inNamespace(object.getMetadata().getNamespace()).resource(object)
              .fieldManager("trustsync-floor").forceConflicts().serverSideApply();
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    return Duration.between(start, Instant.now()).toMillis();
  }

  /** The production environment of the files with this policy, validated as the operator would. */
  private static AcceptedEnvironment environment(SortedMap<String, byte[]> files, String policy) throws IOException {
    Path folder = Files.createTempDirectory("trustsync-floor");
    try {
      for (var file : files.entrySet()) {
        Path path = folder.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.write(path, file.getKey().equals(POLICY) ? policy.getBytes(StandardCharsets.UTF_8) : file.getValue());
      }
      ValidationReport report = RepositoryValidator.validate(RepositoryReader.read(folder),
          new ValidationOptions(Instant.now(), Duration.ofDays(30), RepositoryReader.DEFAULT_MAX_FILE_BYTES));
      AcceptedEnvironment environment = report.environments().get("production");
      if (environment == null) {
        throw new IllegalStateException("the benchmark repository has no valid production environment");
      }
      return environment;
    } finally {
      try (var walk = Files.walk(folder)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
