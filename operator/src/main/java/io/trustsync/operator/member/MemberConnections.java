package io.trustsync.operator.member;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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

  private record Connection(String fingerprint, KubernetesClient client) {}

  private final KubernetesClient hub;
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();

  public MemberConnections(KubernetesClient hub) {
    this.hub = hub;
  }

  public static String key(MemberCluster cluster) {
    return cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
  }

  /** The client for this member, (re)built when its kubeconfig changed. */
  public KubernetesClient connect(MemberCluster cluster) throws MemberConfigurationException {
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
    String kubeconfig = secretValue(secret, dataKey);
    if (kubeconfig == null) {
      throw new MemberConfigurationException("Secret " + secretName + " has no key '" + dataKey + "'");
    }
    String fingerprint = Integer.toHexString(kubeconfig.hashCode()) + "/" + spec.kubeconfigSecretRef.context;
    Connection existing = connections.get(key);
    if (existing != null && existing.fingerprint().equals(fingerprint)) {
      return existing.client();
    }
    Config config;
    try {
      config = Config.fromKubeconfig(spec.kubeconfigSecretRef.context, kubeconfig, null);
    } catch (RuntimeException e) {
      throw new MemberConfigurationException("Secret " + secretName + " key '" + dataKey + "' is not a usable kubeconfig: " + e.getMessage());
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(tuned(config)).build();
    Connection previous = connections.put(key, new Connection(fingerprint, client));
    if (previous != null && previous.client() != hub) {
      previous.client().close();
    }
    return client;
  }

  public Optional<KubernetesClient> current(String key) {
    return Optional.ofNullable(connections.get(key)).map(Connection::client);
  }

  public void forget(String key) {
    Connection removed = connections.remove(key);
    if (removed != null && removed.client() != hub) {
      removed.client().close();
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

  private static String secretValue(Secret secret, String key) {
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return null;
  }

  @Override
  public void close() {
    connections.values().forEach(c -> {
      if (c.client() != hub) {
        c.client().close();
      }
    });
    connections.clear();
  }
}
