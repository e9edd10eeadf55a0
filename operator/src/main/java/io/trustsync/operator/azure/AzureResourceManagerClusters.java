package io.trustsync.operator.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoff;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.CredentialUnavailableException;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.azure.resourcemanager.containerservice.ContainerServiceManager;
import com.azure.resourcemanager.containerservice.fluent.ManagedClustersClient;
import com.azure.resourcemanager.containerservice.fluent.models.CredentialResultsInner;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.containerservice.models.CredentialResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * {@link AzureClusters} through the Azure SDK: azure-identity's WorkloadIdentityCredential (the
 * federated service-account token, exchanged at the authority host) and the container-service
 * management client over the JDK HTTP client. Only the managed-clusters list calls and
 * listClusterUserCredential are made; listClusterAdminCredential never is.
 */
public final class AzureResourceManagerClusters implements AzureClusters {
  private static final Pattern RESOURCE_ID = Pattern.compile(
      "(?i)/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.ContainerService/managedClusters/([^/]+)");
  private static final java.util.Set<String> KNOWN_AUTHORITIES = java.util.Set.of("login.microsoftonline.com",
      "login.chinacloudapi.cn", "login.microsoftonline.us");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final AzureSettings settings;
  private final HttpClient http;
  private final TokenCredential credential;
  private final AzureEnvironment environment;
  private final Map<String, ContainerServiceManager> managers = new ConcurrentHashMap<>();

  private AzureResourceManagerClusters(AzureSettings settings) throws IOException, GeneralSecurityException {
    this.settings = settings;
    java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (settings.certificateAuthorityFile() != null) {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {withExtraRoots(Files.readAllBytes(settings.certificateAuthorityFile()))}, null);
      jdk.sslContext(tls);
    }
    this.http = new JdkHttpClientBuilder(jdk).build();
    String authority = settings.authorityHost().toString();
    WorkloadIdentityCredentialBuilder identity = new WorkloadIdentityCredentialBuilder()
        .tenantId(settings.tenantId())
        .clientId(settings.clientId())
        .tokenFilePath(settings.federatedTokenFile().toString())
        .authorityHost(authority)
        .httpClient(http)
        // one quick retry here: the ARM pipeline retries a failed token request as well, and both
        // at their defaults turn one call during an Entra outage into sixteen requests over half a minute
        .retryOptions(new com.azure.core.http.policy.RetryOptions(
            new com.azure.core.http.policy.FixedDelayOptions(1, Duration.ofMillis(500))));
    if (!KNOWN_AUTHORITIES.contains(settings.authorityHost().getHost().toLowerCase(java.util.Locale.ROOT))) {
      // instance discovery would ask login.microsoftonline.com about a host it cannot know (a private cloud)
      identity.disableInstanceDiscovery();
    }
    this.credential = identity.build();
    String arm = settings.resourceManagerEndpoint().toString();
    Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    endpoints.put("resourceManagerEndpointUrl", arm);
    endpoints.put("activeDirectoryEndpointUrl", authority);
    if (!arm.equals(AzureSettings.PUBLIC_RESOURCE_MANAGER.toString())) {
      endpoints.put("managementEndpointUrl", arm); // the token audience follows the endpoint in a private cloud
    }
    this.environment = new AzureEnvironment(endpoints);
  }

  /** The clients for these settings; nothing is called until the first list, endpoint or token. */
  public static AzureResourceManagerClusters create(AzureSettings settings) throws IOException {
    try {
      return new AzureResourceManagerClusters(settings);
    } catch (GeneralSecurityException e) {
      throw new IOException("the CA file " + settings.certificateAuthorityFile() + " holds no usable certificate: " + e.getMessage(), e);
    }
  }

  private ManagedClustersClient clusters(String subscription) {
    return managers.computeIfAbsent(subscription.toLowerCase(java.util.Locale.ROOT), s -> ContainerServiceManager.configure()
        .withHttpClient(http)
        // ARM's throttling answers 429 with Retry-After; the policy waits as long as it says, three times at most
        .withRetryPolicy(new RetryPolicy(new ExponentialBackoff(3, Duration.ofMillis(500), Duration.ofSeconds(30))))
        .authenticate(credential, new AzureProfile(settings.tenantId(), subscription, environment)))
        .serviceClient().getManagedClusters();
  }

  @Override
  public List<ManagedCluster> list(String subscription, List<String> resourceGroups) throws AzureException {
    List<ManagedCluster> found = new ArrayList<>();
    try {
      ManagedClustersClient client = clusters(subscription);
      if (resourceGroups.isEmpty()) {
        client.list().forEach(inner -> found.add(cluster(inner)));
      } else {
        for (String group : resourceGroups) {
          client.listByResourceGroup(group).forEach(inner -> found.add(cluster(inner)));
        }
      }
    } catch (RuntimeException e) {
      throw failure("listing the managed clusters of subscription " + subscription
          + (resourceGroups.isEmpty() ? "" : " (resource groups " + resourceGroups + ")"), e);
    }
    return found;
  }

  private static ManagedCluster cluster(ManagedClusterInner inner) {
    String version = inner.currentKubernetesVersion() != null ? inner.currentKubernetesVersion() : inner.kubernetesVersion();
    return new ManagedCluster(inner.id(), inner.name(), inner.location(), inner.tags() == null ? Map.of() : inner.tags(), version,
        inner.provisioningState(), inner.aadProfile() != null, Boolean.TRUE.equals(inner.disableLocalAccounts()));
  }

  @Override
  public Endpoint endpoint(String resourceId) throws AzureException {
    Matcher id = RESOURCE_ID.matcher(resourceId);
    if (!id.matches()) {
      throw new AzureException("'" + resourceId + "' is not a managed cluster's resource ID", false, false);
    }
    CredentialResultsInner result;
    try {
      result = clusters(id.group(1)).listClusterUserCredentials(id.group(2), id.group(3));
    } catch (RuntimeException e) {
      throw failure("listClusterUserCredential of " + resourceId, e);
    }
    List<CredentialResult> kubeconfigs = result == null || result.kubeconfigs() == null ? List.of() : result.kubeconfigs();
    for (CredentialResult kubeconfig : kubeconfigs) {
      if (kubeconfig.value() == null) {
        continue;
      }
      try {
        JsonNode cluster = YAML.readTree(new String(kubeconfig.value(), StandardCharsets.UTF_8)).at("/clusters/0/cluster");
        String server = cluster.path("server").asText(null);
        String ca = cluster.path("certificate-authority-data").asText(null);
        if (server != null) {
          return new Endpoint(server, ca == null ? null : new String(Base64.getMimeDecoder().decode(ca), StandardCharsets.UTF_8));
        }
      } catch (IOException | IllegalArgumentException e) {
        // the next kubeconfig, if any
      }
    }
    throw new AzureException("listClusterUserCredential of " + resourceId + " returned no kubeconfig with a server address", false, false);
  }

  @Override
  public Token aksToken() throws AzureException {
    return token(AKS_SCOPE);
  }

  @Override
  public Token token(String scope) throws AzureException {
    try {
      AccessToken token = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
      return new Token(token.getToken(), token.getExpiresAt().toInstant());
    } catch (RuntimeException e) {
      throw failure("an Entra ID token for scope " + scope, e);
    }
  }

  @Override
  public String tenantId() {
    return settings.tenantId();
  }

  /** An SDK failure as a one-line message: what was asked, what Azure answered, and whether the identity is at fault. */
  private AzureException failure(String what, RuntimeException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ClientAuthenticationException || cause instanceof CredentialUnavailableException
          || cause instanceof com.microsoft.aad.msal4j.MsalException) {
        return new AzureException(what + " failed: the operator's workload identity got no token from " + settings.authorityHost()
            + " (tenant " + settings.tenantId() + ", client " + settings.clientId() + "): " + firstLine(cause.getMessage())
            + "; check the federated credential (docs/azure.md)", false, true);
      }
      if (cause instanceof ManagementException management) {
        int status = management.getResponse() == null ? 0 : management.getResponse().getStatusCode();
        String code = management.getValue() == null ? null : management.getValue().getCode();
        String message = management.getValue() == null ? null : management.getValue().getMessage();
        String hint = switch (status) {
          case 403 -> "; the operator's identity needs the role named in docs/azure.md on that scope";
          case 429 -> "; Azure is throttling the operator; it tries again at the next interval";
          default -> "";
        };
        return new AzureException(what + " failed: HTTP " + status + (code == null ? "" : " " + code)
            + (message == null ? "" : ": " + firstLine(message)) + hint, status == 404, status == 401);
      }
    }
    return new AzureException(what + " failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage())),
        false, false);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    String line = text.lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  /** The JVM's roots plus the certificates of a PEM file. */
  private static X509TrustManager withExtraRoots(byte[] pem) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    try (InputStream in = new java.io.ByteArrayInputStream(pem)) {
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("extra-" + i++, certificate);
      }
    }
    if (i == 0) {
      throw new CertificateException("no PEM certificate found");
    }
    X509TrustManager extra = trustManager(store);
    X509TrustManager system = trustManager(null);
    return new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not a server");
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
          system.checkServerTrusted(chain, authType);
        } catch (CertificateException notPublic) {
          extra.checkServerTrusted(chain, authType);
        }
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        List<X509Certificate> all = new ArrayList<>(List.of(system.getAcceptedIssuers()));
        all.addAll(List.of(extra.getAcceptedIssuers()));
        return all.toArray(new X509Certificate[0]);
      }
    };
  }

  private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }

  @Override
  public void close() {
    managers.clear();
  }
}
