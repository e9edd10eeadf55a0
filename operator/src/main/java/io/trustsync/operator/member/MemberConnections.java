package io.trustsync.operator.member;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterSpec;
import io.trustsync.operator.shared.SecretCache;
import io.trustsync.operator.shared.SecretData;
import io.trustsync.operator.shared.Tenancy;
import io.trustsync.operator.leader.Fence;
import io.trustsync.operator.leader.WriteFence;
import io.trustsync.operator.azure.AzureClusters;
import io.trustsync.source.AddressRules;
import io.trustsync.source.SourceException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clients for member clusters, one per MemberCluster, built from its kubeconfig Secret (read the
 * safe way, see {@link MemberKubeconfig}) and rebuilt when the Secret's content changes. A
 * member's client never shares state with another member's, so one slow or dead cluster cannot
 * stall the others, and every write through it passes the {@link Fence}.
 */
public final class MemberConnections implements AutoCloseable {
  /** Thrown when a member cannot even be described (missing Secret, refused kubeconfig). */
  public static final class MemberConfigurationException extends Exception {
    private final String reason;

    public MemberConfigurationException(String message) {
      this("InvalidKubeconfig", message);
    }

    public MemberConfigurationException(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    /** The condition reason: InvalidKubeconfig, InvalidSpec (both need a change), CredentialUnavailable (may pass). */
    public String reason() {
      return reason;
    }
  }

  /** What a MemberCluster may make the operator connect to, and how. */
  public record Access(KubeconfigRules kubeconfig, AddressRules addresses, Tenancy tenancy, Fence fence, String userAgent, KeylessAccess keyless) {}

  private final KubernetesClient hub;
  private final Access access;
  private final SecretCache secrets;
  private final MemberHttpClients http = new MemberHttpClients();
  private final ServiceAccountTokens tokens;
  /** The one Entra ID token for AKS members (all accept the same audience), when Azure is on. */
  private final RenewingTokens<String> aksTokens;
  /** Resource ID -> API server and CA from listClusterUserCredential, and when they were read. */
  private final Map<String, Map.Entry<AzureClusters.Endpoint, java.time.Instant>> endpoints = new ConcurrentHashMap<>();
  static final Duration ENDPOINT_TTL = Duration.ofMinutes(10);
  /** Member key -> fingerprint of its kubeconfig; members with identical kubeconfigs share a client. */
  private final Map<String, String> fingerprints = new ConcurrentHashMap<>();
  private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();

  public MemberConnections(KubernetesClient hub, SecretCache secrets, Access access) {
    this.hub = hub;
    this.secrets = secrets;
    this.access = access;
    this.tokens = new ServiceAccountTokens(hub, java.time.Clock.systemUTC());
    AzureClusters azure = access.keyless().azure();
    this.aksTokens = azure == null ? null : new RenewingTokens<>(java.time.Clock.systemUTC(), "aks-token-renewal") {
      @Override
      protected Map.Entry<String, java.time.Instant> issue(String scope) throws TokenUnavailableException {
        try {
          AzureClusters.Token token = azure.aksToken();
          return Map.entry(token.token(), token.expiresAt());
        } catch (AzureClusters.AzureException e) {
          throw new TokenUnavailableException(e.getMessage());
        }
      }
    };
  }

  public Access access() {
    return access;
  }

  public static String key(MemberCluster cluster) {
    return cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
  }

  /** Whether this MemberCluster is the hub itself, and allowed to be. */
  public boolean isHub(MemberCluster cluster) {
    MemberClusterSpec spec = cluster.getSpec();
    return spec != null && Boolean.TRUE.equals(spec.hub) && spec.kubeconfigSecretRef == null && spec.serviceAccountToken == null;
  }

  /**
   * The client for this member, (re)built when its kubeconfig changed. Not synchronized: reading
   * one tenant's Secret or resolving its server's name never waits for another's.
   */
  public KubernetesClient connect(MemberCluster cluster) throws MemberConfigurationException {
    MemberClusterSpec spec = cluster.getSpec();
    String namespace = cluster.getMetadata().getNamespace();
    String key = key(cluster);
    if (isHub(cluster)) {
      String refusal = hubRefusal(namespace);
      if (refusal != null) {
        throw new MemberConfigurationException(refusal);
      }
      return hubClient();
    }
    if (spec != null && spec.serviceAccountToken != null) {
      return connectWithServiceAccountToken(cluster);
    }
    if (spec != null && spec.azure != null) {
      return connectToAks(cluster);
    }
    if (spec == null || spec.kubeconfigSecretRef == null || spec.kubeconfigSecretRef.name == null) {
      throw new MemberConfigurationException("spec.kubeconfigSecretRef.name is not set; name a Secret holding a kubeconfig,"
          + " set spec.serviceAccountToken (with server and certificateAuthority), or set spec.hub: true");
    }
    String secretName = spec.kubeconfigSecretRef.name;
    String dataKey = spec.kubeconfigSecretRef.key != null ? spec.kubeconfigSecretRef.key : "kubeconfig";
    String where = "Secret " + namespace + "/" + secretName + " key '" + dataKey + "'";
    Secret secret;
    try {
      secret = secrets.get(namespace, secretName).orElse(null);
    } catch (KubernetesClientException e) {
      throw new MemberConfigurationException(e.getCode() == 403
          ? "the operator may not read Secrets in namespace " + namespace + "; grant it there (see docs/security.md, tenant namespaces)"
          : "cannot read Secret " + namespace + "/" + secretName + " (HTTP " + e.getCode() + ")");
    }
    if (secret == null) {
      throw new MemberConfigurationException("Secret " + namespace + "/" + secretName + " does not exist");
    }
    String kubeconfig = SecretData.of(secret).get(dataKey);
    if (kubeconfig == null) {
      throw new MemberConfigurationException("Secret " + namespace + "/" + secretName + " has no key '" + dataKey + "'");
    }
    String fingerprint = sha256(kubeconfig) + "/" + spec.kubeconfigSecretRef.context;
    KubernetesClient client = clients.get(fingerprint);
    if (client == null) {
      Config config = MemberKubeconfig.parse(kubeconfig, spec.kubeconfigSecretRef.context, access.kubeconfig(), where);
      try {
        // bounded: a tenant's slow name server must not hold up a reconcile thread for long
        access.addresses().check(URI.create(config.getMasterUrl()).getHost(), Duration.ofSeconds(2));
      } catch (SourceException | IllegalArgumentException e) {
        throw new MemberConfigurationException(where + ": the API server's host cannot be resolved, or is on a network"
            + " members may not be reached on (loopback, link-local or metadata); an administrator can allow a range with --member-allow-cidr");
      }
      client = share(fingerprint, build(config, null));
    }
    use(key, fingerprint);
    return client;
  }

  /** The client cached under this fingerprint; {@code built} is closed if another thread cached one first. */
  private KubernetesClient share(String fingerprint, KubernetesClient built) {
    KubernetesClient raced = clients.putIfAbsent(fingerprint, built);
    if (raced != null) {
      built.close();
      return raced;
    }
    return built;
  }

  private synchronized void use(String key, String fingerprint) {
    String previous = fingerprints.put(key, fingerprint);
    if (previous != null && !previous.equals(fingerprint)) {
      release(previous);
    }
  }

  /**
   * An AKS member reached with the operator's workload identity: the API server and CA from
   * listClusterUserCredential (whatever else that kubeconfig holds, an exec plugin or a local
   * account, is never used), and an Entra ID token for the AKS server application on every request.
   */
  private KubernetesClient connectToAks(MemberCluster cluster) throws MemberConfigurationException {
    MemberClusterSpec spec = cluster.getSpec();
    String namespace = cluster.getMetadata().getNamespace();
    AzureClusters azure = access.keyless().azure();
    if (azure == null) {
      throw new MemberConfigurationException("InvalidSpec", "spec.azure needs the operator's Azure workload identity, which is not"
          + " configured on this hub: an administrator turns it on with --azure-workload-identity (docs/azure.md)");
    }
    if (!access.tenancy().isPlatform(namespace)) {
      throw new MemberConfigurationException("InvalidSpec", "spec.azure acts with the operator's Azure identity, so it is honoured only"
          + " in the platform namespaces " + access.tenancy().platformNamespaces().stream().sorted().toList() + "; namespace "
          + namespace + " is a tenant's. Register the cluster with a kubeconfig Secret of your own");
    }
    if (spec.kubeconfigSecretRef != null || Boolean.TRUE.equals(spec.hub) || spec.serviceAccountToken != null) {
      throw new MemberConfigurationException("InvalidSpec", "spec.azure cannot be combined with spec.kubeconfigSecretRef,"
          + " spec.serviceAccountToken or spec.hub; keep one of them");
    }
    String resourceId = spec.azure.resourceId;
    if (resourceId == null || !resourceId.matches("(?i)/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
        + "Microsoft\\.ContainerService/managedClusters/[^/]+")) {
      throw new MemberConfigurationException("InvalidSpec", "spec.azure.resourceId must be /subscriptions/SUB/resourceGroups/RG/"
          + "providers/Microsoft.ContainerService/managedClusters/NAME; it is " + (resourceId == null ? "not set" : "'" + resourceId + "'"));
    }
    AzureClusters.Endpoint endpoint;
    var cached = endpoints.get(resourceId);
    if (cached != null && java.time.Instant.now().isBefore(cached.getValue().plus(ENDPOINT_TTL))) {
      endpoint = cached.getKey();
    } else {
      try {
        endpoint = azure.endpoint(resourceId);
      } catch (AzureClusters.AzureException e) {
        endpoints.remove(resourceId);
        throw new MemberConfigurationException(e.notFound() ? "ClusterNotFound" : "CredentialUnavailable", e.getMessage());
      }
      endpoints.put(resourceId, Map.entry(endpoint, java.time.Instant.now()));
    }
    URI server;
    try {
      server = new URI(endpoint.server());
    } catch (java.net.URISyntaxException | NullPointerException e) {
      throw new MemberConfigurationException("CredentialUnavailable", "listClusterUserCredential of " + resourceId
          + " named no usable API server address");
    }
    if (!"https".equalsIgnoreCase(server.getScheme()) || server.getHost() == null) {
      throw new MemberConfigurationException("CredentialUnavailable", "listClusterUserCredential of " + resourceId
          + " named a server that is not https://; the token is never sent in clear");
    }
    if (endpoint.certificateAuthorityPem() == null || endpoint.certificateAuthorityPem().isBlank()) {
      throw new MemberConfigurationException("CredentialUnavailable", "listClusterUserCredential of " + resourceId + " named no"
          + " certificate authority; the Entra token is sent only to a server whose certificate chains to the cluster's own CA");
    }
    String fingerprint = "aks/" + resourceId + "/" + endpoint.server() + "/" + sha256(endpoint.certificateAuthorityPem());
    return withToken(cluster, aksTokens, AzureClusters.AKS_SCOPE, fingerprint, server, endpoint.certificateAuthorityPem(),
        "CredentialUnavailable", resourceId + ": the API server's host");
  }

  /**
   * A member reached with a hub ServiceAccount's token (TokenRequest), no Secret: the server and
   * CA come from the spec, the token is requested for the audience {@code trustsync:<server>} and
   * renewed before it expires. A token is requested here, on the reconcile thread, so the status
   * tells at once when the hub will not issue one.
   */
  private KubernetesClient connectWithServiceAccountToken(MemberCluster cluster) throws MemberConfigurationException {
    MemberClusterSpec spec = cluster.getSpec();
    String namespace = cluster.getMetadata().getNamespace();
    if (!access.keyless().serviceAccountTokens()) {
      throw new MemberConfigurationException("InvalidSpec", "spec.serviceAccountToken is not enabled on this hub: the operator would"
          + " present a token of a ServiceAccount of namespace " + namespace + "; an administrator turns the mode on with"
          + " --allow-service-account-token-members (docs/keyless.md), or register the member with spec.kubeconfigSecretRef");
    }
    if (spec.kubeconfigSecretRef != null || Boolean.TRUE.equals(spec.hub)) {
      throw new MemberConfigurationException("InvalidSpec", "spec.serviceAccountToken cannot be combined with spec.kubeconfigSecretRef"
          + " or spec.hub; keep one of them");
    }
    URI server;
    try {
      server = spec.server == null ? null : new URI(spec.server.trim());
    } catch (java.net.URISyntaxException e) {
      server = null;
    }
    if (server == null || !"https".equalsIgnoreCase(server.getScheme()) || server.getHost() == null
        || server.getRawUserInfo() != null || server.getRawQuery() != null || server.getRawFragment() != null) {
      throw new MemberConfigurationException("InvalidSpec", "spec.server must be the member API server's https://HOST[:PORT] URL"
          + " (the token is never sent in clear); it is " + (spec.server == null ? "not set" : "'" + spec.server + "'"));
    }
    if (spec.certificateAuthority == null || spec.certificateAuthority.isBlank()) {
      throw new MemberConfigurationException("InvalidSpec", "spec.certificateAuthority is not set: give the PEM certificate(s) of the CA"
          + " that issued the member API server's certificate (its kubeconfig's certificate-authority-data, base64-decoded)");
    }
    String serviceAccount = spec.serviceAccountToken.serviceAccountName == null || spec.serviceAccountToken.serviceAccountName.isBlank()
        ? ServiceAccountTokens.DEFAULT_SERVICE_ACCOUNT : spec.serviceAccountToken.serviceAccountName;
    if (!serviceAccount.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
      throw new MemberConfigurationException("InvalidSpec", "spec.serviceAccountToken.serviceAccountName '" + serviceAccount
          + "' is not a ServiceAccount name (lower-case letters, digits, '-' and '.')");
    }
    long lifetime = spec.serviceAccountToken.expirationSeconds == null ? ServiceAccountTokens.DEFAULT_EXPIRATION_SECONDS
        : Math.max(ServiceAccountTokens.MIN_EXPIRATION_SECONDS, Math.min(ServiceAccountTokens.MAX_EXPIRATION_SECONDS,
            spec.serviceAccountToken.expirationSeconds));
    String url = server.toString();
    ServiceAccountTokens.Key tokenKey = new ServiceAccountTokens.Key(namespace, serviceAccount, ServiceAccountTokens.audience(url), lifetime);
    String fingerprint = "token/" + tokenKey + "/" + url + "/" + sha256(spec.certificateAuthority);
    return withToken(cluster, tokens, tokenKey, fingerprint, server, spec.certificateAuthority, "InvalidSpec", "spec.server: the host");
  }

  /**
   * The client of a member reached with a bearer token from {@code issuer}, for this server and CA.
   * The token is had first, so no client is built (and kept) for a member that gets none; the
   * server's address is checked once, when its client is built; {@code refusal} and {@code host}
   * name the reason and the field when that check fails.
   */
  private <K> KubernetesClient withToken(MemberCluster cluster, RenewingTokens<K> issuer, K tokenKey, String fingerprint, URI server,
      String certificateAuthorityPem, String refusal, String host) throws MemberConfigurationException {
    try {
      issuer.token(tokenKey);
    } catch (RenewingTokens.TokenUnavailableException e) {
      throw new MemberConfigurationException("CredentialUnavailable", e.getMessage());
    }
    KubernetesClient client = clients.get(fingerprint);
    if (client == null) {
      try {
        access.addresses().check(server.getHost(), Duration.ofSeconds(2));
      } catch (SourceException | IllegalArgumentException e) {
        throw new MemberConfigurationException(refusal, host + " cannot be resolved, or is on a network members may not be"
            + " reached on (loopback, link-local or metadata); an administrator can allow a range with --member-allow-cidr");
      }
      Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.toString())
          .withCaCertData(java.util.Base64.getEncoder().encodeToString(certificateAuthorityPem.getBytes(StandardCharsets.UTF_8)))
          .build();
      client = share(fingerprint, build(config, issuer.interceptor(tokenKey)));
    }
    use(key(cluster), fingerprint);
    return client;
  }

  /**
   * Why a MemberCluster of this namespace may not be the hub, or null when it may. The hub's
   * client is the operator's own identity: only the platform team may point it at the hub.
   */
  public String hubRefusal(String namespace) {
    if (access.tenancy().isPlatform(namespace) || access.tenancy().tenantHubMembers()) {
      return null;
    }
    return "spec.hub: true is honoured only in the platform namespaces "
        + access.tenancy().platformNamespaces().stream().sorted().toList() + "; namespace " + namespace
        + " is a tenant's. Register the hub with a kubeconfig for a ServiceAccount of your own, or ask the"
        + " platform team to add the namespace (--platform-namespace) or allow tenant hub members (--allow-tenant-hub-members)";
  }

  private KubernetesClient hubClient() {
    // the hub's own credentials, but fenced and with member timeouts like every member
    return clients.computeIfAbsent("hub", k -> {
      try {
        return build(hub.getConfiguration(), null);
      } catch (MemberConfigurationException e) {
        throw new IllegalStateException(e.getMessage());
      }
    });
  }

  private KubernetesClient build(Config config, io.fabric8.kubernetes.client.http.Interceptor credential) throws MemberConfigurationException {
    Config tuned = tuned(config, access.fence().writeTimeout());
    tuned.setUserAgent(access.userAgent());
    javax.net.ssl.TrustManager[] trust = MemberTls.onlyTheClusterCa(tuned);
    return http.builder().withConfig(tuned)
        .withHttpClientBuilderConsumer(builder -> {
          builder.addOrReplaceInterceptor(WriteFence.NAME, new WriteFence(access.fence()));
          if (credential != null) {
            builder.addOrReplaceInterceptor("trustsync-member-token", credential);
          }
          if (trust != null) {
            try {
              builder.sslContext(io.fabric8.kubernetes.client.internal.SSLUtils.keyManagers(tuned), trust);
            } catch (Exception e) {
              throw new IllegalStateException("the kubeconfig's client credentials cannot be loaded: " + e.getClass().getSimpleName());
            }
          }
        })
        .build();
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

  /**
   * Short timeouts so a dead member fails fast and a write never outlives the lease that allowed
   * it; watches reconnect quickly when the member returns.
   */
  static Config tuned(Config config, Duration writeTimeout) {
    return new ConfigBuilder(config)
        .withConnectionTimeout((int) Math.min(3_000, writeTimeout.toMillis()))
        .withRequestTimeout((int) writeTimeout.toMillis())
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
    tokens.close();
    if (aksTokens != null) {
      aksTokens.close();
    }
    http.close();
  }
}
