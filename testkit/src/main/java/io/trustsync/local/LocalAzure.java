package io.trustsync.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * Azure on loopback, over HTTPS, speaking the wire protocol of the calls TrustSync makes: Entra
 * ID's token endpoint for a federated client assertion (what azure-identity's
 * WorkloadIdentityCredential sends), its OIDC discovery document and signing keys (so a
 * kube-apiserver JWT authenticator can verify the tokens), and Azure Resource Manager's
 * managed-clusters list (paged by nextLink), one cluster, and listClusterUserCredential /
 * listClusterAdminCredential. Tokens are RS256 JWTs signed with this server's own key; ARM
 * accepts only tokens it issued for the ARM audience. Faults on demand: throttling (429 with
 * Retry-After), a token endpoint outage, a cluster deleted right after a list.
 */
public final class LocalAzure implements AutoCloseable {
  /** The audience (resource) of ARM tokens, as azure-core asks for it: the management endpoint. */
  public static final String ARM_AUDIENCE = "https://management.core.windows.net/";
  public static final String API_VERSION_PREFIX = "20";

  /** A managed cluster as ARM describes it, and the kubeconfig its user credential returns. */
  public record Cluster(String subscription, String resourceGroup, String name, String location, Map<String, String> tags,
      String kubernetesVersion, String provisioningState, boolean entraIntegration, String userKubeconfig) {
    public String id() {
      return "/subscriptions/" + subscription + "/resourcegroups/" + resourceGroup + "/providers/Microsoft.ContainerService/managedClusters/"
          + name;
    }
  }

  /** One request as received: method, path and query. */
  public record Request(String method, String path, String query) {
    @Override
    public String toString() {
      return method + " " + path + (query == null ? "" : "?" + query);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final String tenant;
  private final CertificateAuthority authority = CertificateAuthority.create("local-azure");
  private final KeyPair signingKey = CertificateAuthority.newKeyPair();
  private final String keyId = "local-azure-" + Long.toHexString(System.nanoTime());
  private final HttpsServer server;
  private final Map<String, Cluster> clusters = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, String> federatedClients = new ConcurrentHashMap<>();
  private final AtomicInteger throttled = new AtomicInteger();
  private final AtomicInteger tokenFailures = new AtomicInteger();
  private final Map<String, Boolean> removeAfterList = new ConcurrentHashMap<>();
  private volatile int pageSize = 100;
  private volatile int retryAfterSeconds = 1;
  private volatile boolean tokenOutage;
  private volatile Duration tokenLifetime = Duration.ofHours(1);
  /** The registry behind the Azure Container Registry front, when there is one. */
  private volatile LocalRegistry containerRegistry;
  private final Map<String, Boolean> acrRefreshTokens = new ConcurrentHashMap<>();
  private final Map<String, Boolean> acrAccessTokens = new ConcurrentHashMap<>();
  public static final String ACR_AUDIENCE = "https://containerregistry.azure.net";

  private LocalAzure(String tenant) throws IOException {
    this.tenant = tenant;
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setHttpsConfigurator(new HttpsConfigurator(authority.sslContext(authority.issueServer("local-azure"))));
    server.setExecutor(Executors.newFixedThreadPool(4, Thread.ofPlatform().daemon().name("local-azure").factory()));
    server.createContext("/", this::handle);
    server.start();
  }

  public static LocalAzure start(String tenant) {
    try {
      return new LocalAzure(tenant);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the local Azure", e);
    }
  }

  // ---- what a test sets up

  /** A workload identity: the client ID and the federated token (client assertion) it must present. */
  public void federatedClient(String clientId, String assertion) {
    federatedClients.put(clientId, assertion);
  }

  public void addCluster(Cluster cluster) {
    clusters.put(cluster.id().toLowerCase(Locale.ROOT), cluster);
  }

  public void removeCluster(Cluster cluster) {
    clusters.remove(cluster.id().toLowerCase(Locale.ROOT));
  }

  /** Removes the cluster right after the next list that returns it: deleted between list and credential fetch. */
  public void removeAfterNextList(Cluster cluster) {
    removeAfterList.put(cluster.id().toLowerCase(Locale.ROOT), Boolean.TRUE);
  }

  public void pageSize(int size) {
    pageSize = size;
  }

  /** The next {@code count} ARM requests get 429 with {@code Retry-After: seconds}. */
  public void throttleNext(int count, int seconds) {
    retryAfterSeconds = seconds;
    throttled.set(count);
  }

  /** While on, the token endpoint answers 503. */
  public void tokenOutage(boolean on) {
    tokenOutage = on;
  }

  public void tokenLifetime(Duration lifetime) {
    tokenLifetime = lifetime;
  }

  // ---- what a client points at

  public URI authorityHost() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  public URI resourceManagerEndpoint() {
    return authorityHost();
  }

  /** The issuer of this tenant's tokens, with its OIDC discovery document below it. */
  public String issuer() {
    return authorityHost() + tenant + "/v2.0";
  }

  public String tenant() {
    return tenant;
  }

  public String certificateAuthorityPem() {
    return authority.certificatePem();
  }

  /** A client context that trusts this server. */
  public SSLContext sslContext() {
    return authority.sslContext(null);
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /**
   * Serves an Azure Container Registry on this host (its {@link #containerRegistryHost}) in front
   * of {@code backend}, a real registry: ACR's {@code /oauth2/exchange} (an Entra token issued
   * here for {@value #ACR_AUDIENCE} becomes a refresh token), its {@code /oauth2/token} (the
   * refresh token, as the password of 00000000-0000-0000-0000-000000000000, becomes a pull token)
   * and the registry API, which answers 401 with ACR's Bearer challenge without a pull token and
   * is otherwise read from the backend.
   */
  public void containerRegistry(LocalRegistry backend) {
    containerRegistry = backend;
  }

  /** host:port of the ACR front, as image references name it. */
  public String containerRegistryHost() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** A token as the token endpoint would issue it, for tests that present one themselves. */
  public String issueToken(String clientId, String audience) {
    return jwt(clientId, audience, Instant.now().plus(tokenLifetime));
  }

  // ---- the server

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      String path = uri.getRawPath();
      requests.add(new Request(exchange.getRequestMethod(), path, uri.getRawQuery()));
      String method = exchange.getRequestMethod();
      if (method.equals("POST") && path.equals("/" + tenant + "/oauth2/v2.0/token")) {
        token(exchange);
      } else if (method.equals("GET") && path.equals("/" + tenant + "/v2.0/.well-known/openid-configuration")) {
        send(exchange, 200, discovery());
      } else if (method.equals("GET") && path.equals("/" + tenant + "/discovery/v2.0/keys")) {
        send(exchange, 200, keys());
      } else if (method.equals("GET") && path.equals("/common/discovery/instance")) {
        send(exchange, 200, instanceDiscovery());
      } else if (containerRegistry != null && method.equals("POST") && path.equals("/oauth2/exchange")) {
        acrExchange(exchange);
      } else if (containerRegistry != null && path.equals("/oauth2/token")) {
        acrToken(exchange, query(uri.getRawQuery()));
      } else if (containerRegistry != null && (path.equals("/v2/") || path.startsWith("/v2/"))) {
        acrRegistry(exchange, method, uri);
      } else if (path.startsWith("/subscriptions/")) {
        resourceManager(exchange, method, path, query(uri.getRawQuery()));
      } else {
        send(exchange, 404, armError("NotFound", "no such endpoint on the local Azure: " + method + " " + path));
      }
    } catch (RuntimeException e) {
      send(exchange, 500, armError("InternalServerError", e.toString()));
    }
  }

  private void token(HttpExchange exchange) throws IOException {
    if (tokenOutage) {
      send(exchange, 503, tokenError("temporarily_unavailable", "AADSTS90033: A transient error has occurred. Please try again."));
      return;
    }
    Map<String, String> form = query(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String clientId = form.get("client_id");
    String expected = clientId == null ? null : federatedClients.get(clientId);
    if (!"client_credentials".equals(form.get("grant_type"))
        || !"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
      send(exchange, 400, tokenError("invalid_request", "AADSTS900144: expected grant_type client_credentials with a jwt-bearer client assertion"));
      return;
    }
    if (expected == null || !expected.equals(form.get("client_assertion"))) {
      send(exchange, 400, tokenError("invalid_client", "AADSTS700213: No matching federated identity record found for presented assertion."));
      return;
    }
    String scope = form.getOrDefault("scope", "");
    // MSAL adds the OIDC scopes (openid profile offline_access) to the one resource scope asked for
    String resource = java.util.Arrays.stream(scope.split(" ")).filter(s -> s.endsWith("/.default")).findFirst().orElse("");
    if (resource.isEmpty()) {
      send(exchange, 400, tokenError("invalid_scope", "AADSTS1002012: The provided value for scope " + scope + " is not valid."));
      return;
    }
    resource = resource.substring(0, resource.length() - "/.default".length());
    Instant expires = Instant.now().plus(tokenLifetime);
    ObjectNode answer = JSON.createObjectNode();
    answer.put("token_type", "Bearer");
    answer.put("expires_in", tokenLifetime.toSeconds());
    answer.put("ext_expires_in", tokenLifetime.toSeconds());
    answer.put("access_token", jwt(clientId, resource, expires));
    send(exchange, 200, answer);
  }

  private void resourceManager(HttpExchange exchange, String method, String path, Map<String, String> query) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null || !authorization.startsWith("Bearer ") || !validArmToken(authorization.substring(7))) {
      exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer authorization_uri=\"" + authorityHost() + tenant + "\"");
      send(exchange, 401, armError("InvalidAuthenticationToken", "The access token is invalid or was not issued for Azure Resource Manager."));
      return;
    }
    if (throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      exchange.getResponseHeaders().add("Retry-After", Integer.toString(retryAfterSeconds));
      send(exchange, 429, armError("TooManyRequests", "The request is being throttled."));
      return;
    }
    if (query.get("api-version") == null || !query.get("api-version").startsWith(API_VERSION_PREFIX)) {
      send(exchange, 400, armError("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required."));
      return;
    }
    String[] parts = path.substring(1).split("/");
    // subscriptions/{s}/providers/Microsoft.ContainerService/managedClusters
    // subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters[/{name}[/action]]
    String subscription = parts[1];
    String group = null;
    int provider = 2;
    if (parts.length > 3 && parts[2].equalsIgnoreCase("resourceGroups")) {
      group = parts[3];
      provider = 4;
    }
    if (parts.length < provider + 3 || !parts[provider].equalsIgnoreCase("providers")
        || !parts[provider + 1].equalsIgnoreCase("Microsoft.ContainerService") || !parts[provider + 2].equalsIgnoreCase("managedClusters")) {
      send(exchange, 404, armError("InvalidResourceType", "The resource type could not be found in the namespace for api version."));
      return;
    }
    if (parts.length == provider + 3 && method.equals("GET")) {
      list(exchange, subscription, group, query);
      return;
    }
    if (group == null || parts.length < provider + 4) {
      send(exchange, 404, armError("NotFound", "no such resource"));
      return;
    }
    String name = URLDecoder.decode(parts[provider + 3], StandardCharsets.UTF_8);
    Cluster cluster = clusters.get(new Cluster(subscription, group, name, null, null, null, null, false, null).id().toLowerCase(Locale.ROOT));
    if (cluster == null) {
      send(exchange, 404, armError("ResourceNotFound", "The Resource 'Microsoft.ContainerService/managedClusters/" + name
          + "' under resource group '" + group + "' was not found."));
      return;
    }
    String action = parts.length > provider + 4 ? parts[provider + 4] : null;
    if (action == null && method.equals("GET")) {
      send(exchange, 200, describe(cluster));
    } else if (method.equals("POST") && ("listClusterUserCredential".equals(action) || "listClusterAdminCredential".equals(action))) {
      ObjectNode answer = JSON.createObjectNode();
      ObjectNode kubeconfig = answer.putArray("kubeconfigs").addObject();
      kubeconfig.put("name", "listClusterAdminCredential".equals(action) ? "clusterAdmin" : "clusterUser");
      kubeconfig.put("value", Base64.getEncoder().encodeToString(cluster.userKubeconfig().getBytes(StandardCharsets.UTF_8)));
      send(exchange, 200, answer);
    } else {
      send(exchange, 405, armError("MethodNotAllowed", method + " " + path));
    }
  }

  private void list(HttpExchange exchange, String subscription, String group, Map<String, String> query) throws IOException {
    List<Cluster> matching = clusters.values().stream()
        .filter(c -> c.subscription().equalsIgnoreCase(subscription) && (group == null || c.resourceGroup().equalsIgnoreCase(group)))
        .sorted(java.util.Comparator.comparing(Cluster::id)).toList();
    int from = Integer.parseInt(query.getOrDefault("$skipToken", "0"));
    int to = Math.min(matching.size(), from + pageSize);
    ObjectNode page = JSON.createObjectNode();
    ArrayNode value = page.putArray("value");
    for (Cluster cluster : matching.subList(Math.min(from, to), to)) {
      value.add(describe(cluster));
    }
    if (to < matching.size()) {
      page.put("nextLink", authorityHost().toString().replaceAll("/$", "") + exchange.getRequestURI().getRawPath() + "?api-version="
          + query.get("api-version") + "&$skipToken=" + to);
    }
    send(exchange, 200, page);
    if (to >= matching.size()) {
      // the listing is complete: now the cluster goes, as if deleted right after the list
      for (Cluster cluster : matching) {
        if (removeAfterList.remove(cluster.id().toLowerCase(Locale.ROOT)) != null) {
          removeCluster(cluster);
        }
      }
    }
  }

  private ObjectNode describe(Cluster cluster) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", cluster.id());
    node.put("location", cluster.location());
    node.put("name", cluster.name());
    node.put("type", "Microsoft.ContainerService/ManagedClusters");
    ObjectNode tags = node.putObject("tags");
    cluster.tags().forEach(tags::put);
    ObjectNode properties = node.putObject("properties");
    properties.put("provisioningState", cluster.provisioningState());
    properties.putObject("powerState").put("code", "Running");
    String version = cluster.kubernetesVersion();
    properties.put("kubernetesVersion", version.replaceAll("^(\\d+\\.\\d+).*", "$1"));
    properties.put("currentKubernetesVersion", version);
    properties.put("dnsPrefix", cluster.name());
    properties.put("fqdn", cluster.name() + "-dns." + "hcp." + cluster.location() + ".azmk8s.io");
    if (cluster.entraIntegration()) {
      ObjectNode aad = properties.putObject("aadProfile");
      aad.put("managed", true);
      aad.put("enableAzureRBAC", false);
      aad.put("tenantID", tenant);
      properties.put("disableLocalAccounts", true);
    } else {
      properties.put("disableLocalAccounts", false);
    }
    return node;
  }

  // ---- tokens

  private String jwt(String clientId, String audience, Instant expires) {
    ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256").put("kid", keyId);
    long now = Instant.now().getEpochSecond();
    ObjectNode claims = JSON.createObjectNode()
        .put("aud", audience).put("iss", issuer()).put("iat", now).put("nbf", now).put("exp", expires.getEpochSecond())
        .put("appid", clientId).put("azp", clientId).put("oid", clientId).put("sub", clientId).put("tid", tenant).put("ver", "2.0");
    String signingInput = base64Url(bytes(header)) + "." + base64Url(bytes(claims));
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(signingKey.getPrivate());
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + base64Url(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private void acrExchange(HttpExchange exchange) throws IOException {
    Map<String, String> form = query(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    if (!"access_token".equals(form.get("grant_type")) || !containerRegistryHost().equals(form.get("service"))
        || !validToken(form.get("access_token"), java.util.Set.of(ACR_AUDIENCE, ACR_AUDIENCE + "/"))) {
      send(exchange, 401, acrError("UNAUTHORIZED", "the access token is not an Entra ID token for " + ACR_AUDIENCE + " of tenant " + tenant));
      return;
    }
    if (form.get("tenant") != null && !tenant.equals(form.get("tenant"))) {
      send(exchange, 401, acrError("UNAUTHORIZED", "tenant " + form.get("tenant") + " is not this registry's"));
      return;
    }
    String refresh = "acr-refresh-" + java.util.UUID.randomUUID();
    acrRefreshTokens.put(refresh, true);
    ObjectNode answer = JSON.createObjectNode();
    answer.put("refresh_token", refresh);
    send(exchange, 200, answer);
  }

  private void acrToken(HttpExchange exchange, Map<String, String> query) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    String refresh = null;
    if (authorization != null && authorization.startsWith("Basic ")) {
      String decoded = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
      if (decoded.startsWith("00000000-0000-0000-0000-000000000000:")) {
        refresh = decoded.substring(decoded.indexOf(':') + 1);
      }
    }
    if (refresh == null || !acrRefreshTokens.containsKey(refresh)) {
      send(exchange, 401, acrError("UNAUTHORIZED", "no valid ACR refresh token"));
      return;
    }
    String access = "acr-access-" + java.util.UUID.randomUUID();
    acrAccessTokens.put(access, true);
    ObjectNode answer = JSON.createObjectNode();
    answer.put("access_token", access);
    send(exchange, 200, answer);
  }

  private void acrRegistry(HttpExchange exchange, String method, URI uri) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null || !authorization.startsWith("Bearer ") || !acrAccessTokens.containsKey(authorization.substring(7))) {
      String path = uri.getRawPath();
      String repository = path.startsWith("/v2/") && path.length() > 4 ? path.substring(4).replaceFirst("/(tags|manifests|blobs|referrers)/.*$", "") : "";
      exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"https://" + containerRegistryHost() + "/oauth2/token\",service=\""
          + containerRegistryHost() + "\"" + (repository.isEmpty() ? "" : ",scope=\"repository:" + repository + ":pull\""));
      send(exchange, 401, acrError("UNAUTHORIZED", "authentication required"));
      return;
    }
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(containerRegistry.sslContext()).build();
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(URI.create("https://" + containerRegistry.host()
        + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))).method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    if (accept != null) {
      request.header("Accept", accept);
    }
    try {
      java.net.http.HttpResponse<byte[]> answer = client.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      for (String header : List.of("Content-Type", "Docker-Content-Digest", "Link", "OCI-Filters-Applied")) {
        answer.headers().firstValue(header).ifPresent(v -> exchange.getResponseHeaders().set(header, v));
      }
      byte[] body = method.equals("HEAD") ? new byte[0] : answer.body();
      exchange.sendResponseHeaders(answer.statusCode(), body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      send(exchange, 503, acrError("UNAVAILABLE", "interrupted"));
    }
  }

  /** An error as registries (and ACR) write them: {"errors": [{"code", "message"}]}. */
  private static ObjectNode acrError(String code, String message) {
    ObjectNode node = JSON.createObjectNode();
    ObjectNode error = node.putArray("errors").addObject();
    error.put("code", code);
    error.put("message", message);
    return node;
  }

  private boolean validToken(String token, java.util.Set<String> audiences) {
    if (token == null) {
      return false;
    }
    String[] parts = token.split("\\.");
    if (parts.length != 3) {
      return false;
    }
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initVerify(signingKey.getPublic());
      signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!signature.verify(Base64.getUrlDecoder().decode(parts[2]))) {
        return false;
      }
      JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      return audiences.contains(claims.path("aud").asText()) && claims.path("exp").asLong() > Instant.now().getEpochSecond()
          && issuer().equals(claims.path("iss").asText());
    } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
      return false;
    }
  }

  private boolean validArmToken(String token) {
    String endpoint = resourceManagerEndpoint().toString();
    return validToken(token, java.util.Set.of(ARM_AUDIENCE, endpoint, endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint));
  }

  private ObjectNode discovery() {
    String base = authorityHost() + tenant;
    ObjectNode node = JSON.createObjectNode();
    node.put("issuer", issuer());
    node.put("token_endpoint", base + "/oauth2/v2.0/token");
    node.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
    node.put("jwks_uri", base + "/discovery/v2.0/keys");
    node.putArray("response_types_supported").add("code").add("id_token").add("token id_token");
    node.putArray("subject_types_supported").add("pairwise");
    node.putArray("id_token_signing_alg_values_supported").add("RS256");
    node.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("private_key_jwt");
    node.put("tenant_region_scope", "EU");
    return node;
  }

  private ObjectNode keys() {
    RSAPublicKey key = (RSAPublicKey) signingKey.getPublic();
    ObjectNode node = JSON.createObjectNode();
    node.putArray("keys").addObject().put("kty", "RSA").put("use", "sig").put("kid", keyId).put("alg", "RS256")
        .put("n", base64Url(unsigned(key.getModulus()))).put("e", base64Url(unsigned(key.getPublicExponent())));
    return node;
  }

  private ObjectNode instanceDiscovery() {
    String host = authorityHost().getHost() + ":" + authorityHost().getPort();
    ObjectNode node = JSON.createObjectNode();
    node.put("tenant_discovery_endpoint", authorityHost() + tenant + "/v2.0/.well-known/openid-configuration");
    node.put("api-version", "1.1");
    node.putArray("metadata").addObject().put("preferred_network", host).put("preferred_cache", host).putArray("aliases").add(host);
    return node;
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes.length > 1 && bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static ObjectNode armError(String code, String message) {
    ObjectNode node = JSON.createObjectNode();
    node.putObject("error").put("code", code).put("message", message);
    return node;
  }

  private static ObjectNode tokenError(String error, String description) {
    ObjectNode node = JSON.createObjectNode();
    node.put("error", error);
    node.put("error_description", description);
    node.putArray("error_codes").add(Integer.parseInt(description.replaceAll("^AADSTS(\\d+).*", "$1")));
    node.put("timestamp", Instant.now().toString());
    node.put("trace_id", java.util.UUID.randomUUID().toString());
    node.put("correlation_id", java.util.UUID.randomUUID().toString());
    return node;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> values = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return values;
    }
    for (String pair : raw.split("&")) {
      int equals = pair.indexOf('=');
      String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
      String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      values.put(key, value);
    }
    return values;
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.getResponseHeaders().set("x-ms-request-id", java.util.UUID.randomUUID().toString());
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
