package io.trustsync.operator.member;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What every member cluster's client shares, so that a fleet of a thousand clusters, each with
 * credentials of its own (and so an HTTP client of its own), costs no thread per cluster: one
 * Vert.x instance whose few event loops carry every member connection and watch, and one
 * virtual-thread executor for the clients' asynchronous work (informer handlers), and one JSON
 * mapper. A JDK HTTP client per member would bring a selector thread and a thread pool each, and
 * a mapper per client its own copy of Jackson's metadata about every Kubernetes class.
 */
final class MemberHttpClients implements AutoCloseable {
  private final Vertx vertx;
  private final VertxHttpClientFactory factory;
  /** One object mapper for every member client: each fabric8 client would otherwise build and cache its own. */
  private final io.fabric8.kubernetes.client.utils.KubernetesSerialization serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
  private final ExecutorService tasks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("member-client-", 0).factory());

  MemberHttpClients() {
    // as fabric8 does for its own instances: name resolution by the JDK, not Vert.x's DNS client
    String property = "vertx.disableDnsResolver";
    String before = System.getProperty(property);
    try {
      System.setProperty(property, "true");
      vertx = Vertx.vertx(new VertxOptions()
          .setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
          .setWorkerPoolSize(2)
          .setInternalBlockingPoolSize(2)
          .setUseDaemonThread(true)
          .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
    } finally {
      if (before == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, before);
      }
    }
    factory = new VertxHttpClientFactory(vertx);
  }

  /** A builder for one member's client, on the shared event loops and executor. */
  KubernetesClientBuilder builder() {
    return new KubernetesClientBuilder().withHttpClientFactory(factory).withTaskExecutor(tasks).withKubernetesSerialization(serialization);
  }

  @Override
  public void close() {
    tasks.shutdownNow();
    vertx.close();
  }
}
