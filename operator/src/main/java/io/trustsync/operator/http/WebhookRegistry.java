package io.trustsync.operator.http;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.operator.shared.SecretData;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook secret of every PolicySource that has one, kept in memory so a webhook request is
 * looked up and authenticated without reading anything from the hub: an unauthenticated caller
 * can never make the operator call the API server. An informer on PolicySources (running on
 * every replica, leader or not) says which sources have webhooks; their Secrets are read by name
 * when the source changes, and again at most once per {@code REREAD} after a failed signature,
 * so a rotated token takes effect.
 */
public final class WebhookRegistry implements Webhooks, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookRegistry.class);
  private static final long REREAD_NANOS = 30_000_000_000L;

  /** A source's webhook: the Secret it names and the token read from it (null until read, or when unusable). */
  record Hook(String secretName, byte[] token, long readAtNanos) {}

  private final KubernetesClient hub;
  private final SharedIndexInformer<PolicySource> informer;
  private final Map<String, Hook> hooks = new ConcurrentHashMap<>();
  private final ExecutorService reader = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("webhook-secrets").factory());

  public WebhookRegistry(KubernetesClient hub, String namespace) {
    this.hub = hub;
    var resources = hub.resources(PolicySource.class);
    this.informer = (namespace == null ? resources.inAnyNamespace() : resources.inNamespace(namespace)).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(PolicySource source) {
        changed(source);
      }

      @Override
      public void onUpdate(PolicySource before, PolicySource after) {
        changed(after);
      }

      @Override
      public void onDelete(PolicySource source, boolean unknown) {
        hooks.remove(key(source.getMetadata().getNamespace(), source.getMetadata().getName()));
      }
    });
  }

  public void start() {
    informer.start().toCompletableFuture().join();
  }

  @Override
  public Optional<byte[]> token(String namespace, String name) {
    Hook hook = hooks.get(key(namespace, name));
    return hook == null || hook.token() == null ? Optional.empty() : Optional.of(hook.token());
  }

  /** Reads the source's Secret again, at most once per 30 s. */
  @Override
  public void signatureFailed(String namespace, String name) {
    String key = key(namespace, name);
    Hook hook = hooks.get(key);
    if (hook != null && System.nanoTime() - hook.readAtNanos() > REREAD_NANOS) {
      hooks.put(key, new Hook(hook.secretName(), hook.token(), System.nanoTime()));
      reader.execute(() -> read(namespace, name, hook.secretName()));
    }
  }

  private void changed(PolicySource source) {
    String namespace = source.getMetadata().getNamespace();
    String name = source.getMetadata().getName();
    String key = key(namespace, name);
    String secretName = source.getSpec() == null || source.getSpec().webhookSecretRef == null ? null : source.getSpec().webhookSecretRef.name;
    if (secretName == null) {
      hooks.remove(key);
      return;
    }
    Hook known = hooks.get(key);
    if (known != null && Objects.equals(known.secretName(), secretName) && known.token() != null) {
      return;
    }
    hooks.put(key, new Hook(secretName, null, System.nanoTime()));
    reader.execute(() -> read(namespace, name, secretName));
  }

  private void read(String namespace, String name, String secretName) {
    String key = key(namespace, name);
    byte[] token = null;
    try {
      Secret secret = hub.secrets().inNamespace(namespace).withName(secretName).get();
      String value = secret == null ? null : SecretData.of(secret).get("token");
      value = value == null ? null : value.trim();
      if (value == null || value.isEmpty()) {
        LOG.warn("webhook of {}: Secret {} has no key 'token'; its webhook answers 401 until it does", key, secretName);
      } else {
        token = value.getBytes(StandardCharsets.UTF_8);
      }
    } catch (RuntimeException e) {
      LOG.warn("webhook of {}: cannot read Secret {}: {}", key, secretName, e.getClass().getSimpleName());
    }
    byte[] read = token;
    // a failed re-read keeps the token that worked: a hub hiccup must not disable a webhook
    hooks.computeIfPresent(key, (k, hook) -> !hook.secretName().equals(secretName) ? hook
        : new Hook(secretName, read != null ? read : hook.token(), System.nanoTime()));
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public void close() {
    informer.stop();
    reader.shutdownNow();
  }
}
