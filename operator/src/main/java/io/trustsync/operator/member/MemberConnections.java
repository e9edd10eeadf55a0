package io.trustsync.operator.member;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterSpec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clients for member clusters, one per MemberCluster, built from its kubeconfig Secret and
 * rebuilt when the Secret's content changes. A member's client never shares state with another
 * member's, so one slow or dead cluster cannot stall the others.
 */
public final class MemberConnections implements AutoCloseable {
  /** Thrown when a member cannot even be described (missing Secret, broken kubeconfig). */
  public static final class MemberConfigurationException extends Exception {
    public MemberConfigurationException(String message) {
      super(message);
    }
  }

  private final KubernetesClient hub;
  /** Member key -> fingerprint of its kubeconfig; members with identical kubeconfigs share a client. */
  private final Map<String, String> fingerprints = new ConcurrentHashMap<>();
  private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();

  public MemberConnections(KubernetesClient hub) {
    this.hub = hub;
  }

  public static String key(MemberCluster cluster) {
    return cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
  }

  /** The client for this member, (re)built when its kubeconfig changed. */
  public synchronized KubernetesClient connect(MemberCluster cluster) throws MemberConfigurationException {
    MemberClusterSpec spec = cluster.getSpec();
    String key = key(cluster);
    if (spec == null || (Boolean.TRUE.equals(spec.hub) && spec.kubeconfigSecretRef == null)) {
      return hub;
    }
    if (spec.kubeconfigSecretRef == null || spec.kubeconfigSecretRef.name == null) {
      throw new MemberConfigurationException("spec.kubeconfigSecretRef.name is not set; name a Secret holding a kubeconfig, or set spec.hub: true");
    }
    String secretName = spec.kubeconfigSecretRef.name;
    String dataKey = spec.kubeconfigSecretRef.key != null ? spec.kubeconfigSecretRef.key : "kubeconfig";
    Secret secret = hub.secrets().inNamespace(cluster.getMetadata().getNamespace()).withName(secretName).get();
    if (secret == null) {
      throw new MemberConfigurationException("Secret " + cluster.getMetadata().getNamespace() + "/" + secretName + " does not exist");
    }
    String kubeconfig = io.trustsync.operator.SecretData.of(secret).get(dataKey);
    if (kubeconfig == null) {
      throw new MemberConfigurationException("Secret " + secretName + " has no key '" + dataKey + "'");
    }
    String fingerprint = sha256(kubeconfig) + "/" + spec.kubeconfigSecretRef.context;
    KubernetesClient client = clients.get(fingerprint);
    if (client == null) {
      Config config;
      try {
        config = Config.fromKubeconfig(spec.kubeconfigSecretRef.context, kubeconfig, null);
      } catch (RuntimeException e) {
        throw new MemberConfigurationException("Secret " + secretName + " key '" + dataKey + "' is not a usable kubeconfig: " + e.getMessage());
      }
      client = new KubernetesClientBuilder().withConfig(tuned(config)).build();
      clients.put(fingerprint, client);
    }
    String previous = fingerprints.put(key, fingerprint);
    if (previous != null && !previous.equals(fingerprint)) {
      release(previous);
    }
    return client;
  }

  public Optional<KubernetesClient> current(String key) {
    return Optional.ofNullable(fingerprints.get(key)).map(clients::get);
  }

  public synchronized void forget(String key) {
    String fingerprint = fingerprints.remove(key);
    if (fingerprint != null) {
      release(fingerprint);
    }
  }

  /** Closes a client once no member uses its kubeconfig any more. */
  private void release(String fingerprint) {
    if (!fingerprints.containsValue(fingerprint)) {
      KubernetesClient client = clients.remove(fingerprint);
      if (client != null) {
        client.close();
      }
    }
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Short timeouts so a dead member fails fast; watches reconnect quickly when it returns. */
  static Config tuned(Config config) {
    return new ConfigBuilder(config)
        .withConnectionTimeout(3_000)
        .withRequestTimeout(10_000)
        .withWatchReconnectInterval(500)
        .withWatchReconnectLimit(-1)
        .withRequestRetryBackoffLimit(0)
        .build();
  }

  @Override
  public synchronized void close() {
    clients.values().forEach(KubernetesClient::close);
    clients.clear();
    fingerprints.clear();
  }
}
