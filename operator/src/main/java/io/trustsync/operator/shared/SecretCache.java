package io.trustsync.operator.shared;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Secrets that MemberClusters and PolicySources name (kubeconfigs, Git credentials, trusted
 * keys), read from one informer per namespace instead of a GET at every reconcile and probe.
 * An informer starts the first time a namespace's Secret is asked for; where the operator may
 * not list Secrets (a namespace nobody onboarded) the answer is a 403 and no informer runs, and
 * the refusal is remembered for a while so a tenant cannot make the operator hammer the hub.
 */
public final class SecretCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SecretCache.class);
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REFUSAL_MEMORY = Duration.ofSeconds(30);

  private final KubernetesClient hub;
  private final Map<String, SharedIndexInformer<Secret>> informers = new ConcurrentHashMap<>();
  private final Map<String, Refusal> refused = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private final java.util.List<java.util.function.BiConsumer<String, String>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Hears (namespace, name) of every Secret added, changed or deleted in a namespace whose Secrets
   * are held, so what reads a Secret can act on a rotated credential at once.
   */
  public void onChange(java.util.function.BiConsumer<String, String> listener) {
    listeners.add(listener);
  }

  private record Refusal(KubernetesClientException error, long atNanos) {}

  public SecretCache(KubernetesClient hub) {
    this.hub = hub;
  }

  /**
   * The Secret, or empty if it does not exist. Throws the API server's refusal (403) when the
   * operator may not read Secrets in the namespace.
   */
  public Optional<Secret> get(String namespace, String name) {
    SharedIndexInformer<Secret> informer = informer(namespace);
    return Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name));
  }

  private SharedIndexInformer<Secret> informer(String namespace) {
    SharedIndexInformer<Secret> running = informers.get(namespace);
    if (running != null) {
      return running;
    }
    Refusal refusal = refused.get(namespace);
    if (refusal != null && System.nanoTime() - refusal.atNanos() < REFUSAL_MEMORY.toNanos()) {
      throw refusal.error();
    }
    synchronized (this) {
      running = informers.get(namespace);
      if (running != null) {
        return running;
      }
      if (closed) {
        throw new KubernetesClientException("the operator is stopping");
      }
      try {
        // one small list first: a namespace the operator may not read answers 403 here, quietly
        hub.secrets().inNamespace(namespace).list(new ListOptionsBuilder().withLimit(1L).build());
      } catch (KubernetesClientException e) {
        refused.put(namespace, new Refusal(e, System.nanoTime()));
        throw e;
      }
      SharedIndexInformer<Secret> started = hub.secrets().inNamespace(namespace).runnableInformer(0);
      // once running, a dropped watch is always retried
      started.exceptionHandler((isStarted, t) -> isStarted);
      try {
        started.start().toCompletableFuture().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        started.stop();
        KubernetesClientException error = e.getCause() instanceof KubernetesClientException k ? k
            : new KubernetesClientException("the Secrets of namespace " + namespace + " could not be listed within "
                + SYNC_TIMEOUT.toSeconds() + " s");
        refused.put(namespace, new Refusal(error, System.nanoTime()));
        throw error;
      } catch (InterruptedException e) {
        started.stop();
        Thread.currentThread().interrupt();
        throw new KubernetesClientException("interrupted while listing the Secrets of namespace " + namespace);
      }
      refused.remove(namespace);
      started.addEventHandler(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<Secret>() {
        @Override
        public void onAdd(Secret secret) {
          changed(secret);
        }

        @Override
        public void onUpdate(Secret before, Secret after) {
          if (!java.util.Objects.equals(before.getData(), after.getData())
              || !java.util.Objects.equals(before.getStringData(), after.getStringData())) {
            changed(after);
          }
        }

        @Override
        public void onDelete(Secret secret, boolean finalStateUnknown) {
          changed(secret);
        }
      });
      informers.put(namespace, started);
      LOG.debug("watching the Secrets of namespace {}", namespace);
      return started;
    }
  }

  private void changed(Secret secret) {
    for (var listener : listeners) {
      try {
        listener.accept(secret.getMetadata().getNamespace(), secret.getMetadata().getName());
      } catch (RuntimeException e) {
        LOG.warn("a Secret change listener failed: {}", e.toString());
      }
    }
  }

  /** Namespaces whose Secrets are held: for tests and metrics. */
  public java.util.Set<String> namespaces() {
    return java.util.Set.copyOf(informers.keySet());
  }

  @Override
  public synchronized void close() {
    closed = true;
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
  }
}
