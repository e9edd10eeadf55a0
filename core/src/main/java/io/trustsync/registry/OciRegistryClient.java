package io.trustsync.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * The few calls of the OCI Distribution API an audit needs: list a repository's tags, resolve a
 * tag to its manifest digest, list the Notation signatures of a digest (the referrers API, and the
 * fallback tag {@code sha256-<hex>} for registries without it), and read a signature's envelope.
 * HTTPS only unless {@code plainHttp} says otherwise; every body is bounded and every content
 * addressed by digest is checked against it. Bearer tokens (the registry's token service, as
 * Docker Hub, ACR and Distribution's token auth use) are fetched per repository and reused.
 */
public final class OciRegistryClient {
  public static final String NOTATION_SIGNATURE = "application/vnd.cncf.notary.signature";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  private static final String ACCEPT_MANIFESTS = String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** Limits: a manifest, a signature envelope, the tags of one repository. */
  public record Limits(int maxManifestBytes, int maxBlobBytes, int maxTags, Duration timeout) {
    public static final Limits DEFAULT = new Limits(4 << 20, 4 << 20, 100_000, Duration.ofSeconds(30));
  }

  /** A manifest as the registry serves it: its digest, media type, artifact type and body. */
  public record Manifest(String digest, String mediaType, byte[] body) {
    public JsonNode json() throws RegistryException {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new RegistryException("manifest " + digest + " is not JSON: " + e.getMessage());
      }
    }
  }

  /** An entry of a referrers list: a manifest that refers to the subject. */
  public record Descriptor(String mediaType, String digest, long size, String artifactType) {}

  /**
   * Asked before any host is contacted: the registry's, and a token service's its challenge names
   * (which is the registry's word, so it is checked like it). The operator refuses the addresses
   * its egress rules deny; the command line lets everything through.
   */
  @FunctionalInterface
  public interface HostCheck {
    HostCheck ANY = host -> {};

    void check(String host) throws RegistryException;
  }

  private final HttpClient http;
  private final HostCheck hostCheck;
  private final RegistryCredentials credentials;
  private final boolean plainHttp;
  private final Limits limits;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  public OciRegistryClient(SSLContext tls, RegistryCredentials credentials, boolean plainHttp, Limits limits) {
    this(tls, credentials, plainHttp, limits, HostCheck.ANY);
  }

  public OciRegistryClient(SSLContext tls, RegistryCredentials credentials, boolean plainHttp, Limits limits, HostCheck hostCheck) {
    this.hostCheck = hostCheck;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(limits.timeout())
        // blobs are often served from elsewhere (a CDN, a storage account): followed only when its host passes the check
        .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
    this.credentials = credentials;
    this.plainHttp = plainHttp;
    this.limits = limits;
  }

  /** The tags of a repository, following the registry's pagination, and whether there were more than the limit (then cut there). */
  public record Tags(List<String> tags, boolean truncated, List<String> refused) {}

  /** Every tag of the repository, following the registry's pagination; at most {@code maxTags}, and tags that are not tags refused. */
  public Tags tags(ImageReference repository) throws RegistryException {
    List<String> tags = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    String path = "/v2/" + repository.repository() + "/tags/list?n=1000";
    int pages = 0;
    int images = 0;
    while (path != null) {
      if (++pages > limits.maxTags() / 100 + 10) {
        return new Tags(List.copyOf(tags), true, List.copyOf(refused)); // pages of nothing, forever: stop
      }
      HttpResponse<InputStream> response = send(repository, "GET", path, "application/json");
      if (response.statusCode() == 404) {
        drain(response);
        throw new RegistryException("repository " + repository.scope() + " does not exist (404 on its tag list): check the name", 404);
      }
      expectOk(repository, response, "the tag list");
      JsonNode list = parse(read(response, 1 << 20, repository + " tag list"), repository + " tag list");
      for (JsonNode tag : list.path("tags")) {
        String name = tag.asText();
        if (!ImageReference.isTag(name)) {
          if (refused.size() < 10) {
            refused.add(name.length() > 64 ? name.substring(0, 64) + "…" : name);
          }
          continue;
        }
        // the index clients push for registries without the referrers API is listed, but not counted as an image
        if (!ImageReference.isReferrersTag(name) && ++images > limits.maxTags()) {
          return new Tags(List.copyOf(tags), true, List.copyOf(refused));
        }
        tags.add(name);
      }
      path = response.headers().firstValue("Link").map(OciRegistryClient::nextPath).orElse(null);
    }
    return new Tags(List.copyOf(tags), false, List.copyOf(refused));
  }

  static String nextPath(String link) {
    Matcher m = LINK_NEXT.matcher(link);
    if (!m.find()) {
      return null;
    }
    String target = m.group(1);
    if (target.startsWith("http://") || target.startsWith("https://")) {
      URI uri = URI.create(target);
      return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
    return target.startsWith("/") ? target : null;
  }

  /** The manifest a tag or digest names; a digest reference is checked against the body. */
  public Manifest manifest(ImageReference reference) throws RegistryException {
    String ref = reference.digest() != null ? reference.digest() : reference.tag() != null ? reference.tag() : "latest";
    HttpResponse<InputStream> response = send(reference, "GET", "/v2/" + reference.repository() + "/manifests/" + ref, ACCEPT_MANIFESTS);
    if (response.statusCode() == 404) {
      drain(response);
      throw new RegistryException(reference + " does not exist (404)", 404);
    }
    expectOk(reference, response, "manifest " + ref);
    byte[] body = read(response, limits.maxManifestBytes(), "manifest " + reference);
    String digest = sha256(body);
    if (reference.digest() != null && !reference.digest().equals(digest)) {
      throw new RegistryException("manifest " + reference + " has digest " + digest + ", not the one asked for: the registry served"
          + " other content than the reference names");
    }
    String mediaType = response.headers().firstValue("Content-Type").map(t -> t.split(";")[0].trim()).orElse(null);
    String served = response.headers().firstValue("Docker-Content-Digest").orElse(null);
    if (reference.digest() == null && served != null && !served.equals(digest)) {
      throw new RegistryException("manifest " + reference + ": the registry says digest " + served + " but the body hashes to " + digest);
    }
    return new Manifest(digest, mediaType, body);
  }

  /**
   * The manifests that refer to {@code subject} with the artifact type: those the referrers API
   * lists, and those of the index tagged {@code sha256-<hex>} that clients push for registries
   * without it. Both are read: notation writes the tag by default even where the API exists, and a
   * registry whose API list the tag overwrote would otherwise hide signatures. Filtered here too:
   * a registry may ignore the filter.
   */
  public List<Descriptor> referrers(ImageReference subject, String artifactType) throws RegistryException {
    String digest = subject.digest();
    Map<String, Descriptor> found = new LinkedHashMap<>();
    HttpResponse<InputStream> response = send(subject, "GET", "/v2/" + subject.repository() + "/referrers/" + digest + "?artifactType="
        + URLEncoder.encode(artifactType, StandardCharsets.UTF_8), OCI_INDEX);
    if (response.statusCode() == 404) {
      drain(response);
    } else {
      expectOk(subject, response, "the referrers of " + digest);
      collect(parse(read(response, limits.maxManifestBytes(), "referrers of " + subject), "referrers of " + subject), artifactType, found);
    }
    String fallbackTag = digest.replace(':', '-');
    HttpResponse<InputStream> tagged = send(subject, "GET", "/v2/" + subject.repository() + "/manifests/" + fallbackTag, OCI_INDEX);
    if (tagged.statusCode() == 404) {
      drain(tagged);
    } else {
      expectOk(subject, tagged, "the referrers tag " + fallbackTag);
      collect(parse(read(tagged, limits.maxManifestBytes(), "referrers tag of " + subject), "referrers tag of " + subject), artifactType, found);
    }
    return List.copyOf(found.values());
  }

  private static void collect(JsonNode index, String artifactType, Map<String, Descriptor> found) {
    for (JsonNode m : index.path("manifests")) {
      String type = m.path("artifactType").asText(null);
      if (artifactType.equals(type)) {
        found.putIfAbsent(m.path("digest").asText(), new Descriptor(m.path("mediaType").asText(), m.path("digest").asText(), m.path("size").asLong(), type));
      }
    }
  }

  /** The user name Azure Container Registry expects with one of its refresh tokens as the password. */
  public static final String ACR_REFRESH_TOKEN_USER = "00000000-0000-0000-0000-000000000000";

  /**
   * Azure Container Registry's exchange: an Entra ID access token for {@code registry} (its
   * {@code /oauth2/exchange}) becomes an ACR refresh token, used as the password of
   * {@link #ACR_REFRESH_TOKEN_USER} in the registry's token flow (as {@code az acr login} does).
   */
  public String acrRefreshToken(String registry, String tenant, String entraToken) throws RegistryException {
    String form = "grant_type=access_token&service=" + URLEncoder.encode(registry, StandardCharsets.UTF_8)
        + (tenant == null ? "" : "&tenant=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8))
        + "&access_token=" + URLEncoder.encode(entraToken, StandardCharsets.UTF_8);
    URI uri;
    try {
      uri = URI.create((plainHttp ? "http://" : "https://") + registry + "/oauth2/exchange");
    } catch (IllegalArgumentException e) {
      throw new RegistryException("'" + registry + "' is not a registry host");
    }
    hostCheck.check(uri.getHost());
    try {
      HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(limits.timeout())
          .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        drain(response);
        throw new RegistryException(registry + " refused to exchange the operator's Entra ID token (" + response.statusCode()
            + "): give the identity AcrPull on the registry (docs/audit.md)", response.statusCode());
      }
      JsonNode body = parse(read(response, 1 << 20, "the ACR exchange of " + registry), "the ACR exchange of " + registry);
      String refresh = body.path("refresh_token").asText("");
      if (refresh.isEmpty()) {
        throw new RegistryException(registry + " returned no refresh token from /oauth2/exchange");
      }
      return refresh;
    } catch (IOException e) {
      throw new RegistryException("cannot reach " + registry + " for the ACR exchange: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted");
    }
  }

  /** A blob, checked against its digest. */
  public byte[] blob(ImageReference repository, String digest) throws RegistryException {
    HttpResponse<InputStream> response = send(repository, "GET", "/v2/" + repository.repository() + "/blobs/" + digest, "*/*");
    if (response.statusCode() == 404) {
      drain(response);
      throw new RegistryException("blob " + digest + " of " + repository.scope() + " does not exist (404)", 404);
    }
    expectOk(repository, response, "blob " + digest);
    byte[] body = read(response, limits.maxBlobBytes(), "blob " + digest + " of " + repository.scope());
    if (!digest.equals(sha256(body))) {
      throw new RegistryException("blob " + digest + " of " + repository.scope() + " hashes to " + sha256(body) + ": the registry served other content");
    }
    return body;
  }

  private HttpResponse<InputStream> send(ImageReference repository, String method, String path, String accept) throws RegistryException {
    String scope = "repository:" + repository.repository() + ":pull";
    String token = tokens.get(repository.registry() + "|" + scope);
    HttpResponse<InputStream> response = exchange(repository, method, path, accept, authorization(token));
    if (response.statusCode() == 401) {
      String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
      drain(response);
      if (challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
        token = token(repository, challenge, scope);
        tokens.put(repository.registry() + "|" + scope, token);
        response = exchange(repository, method, path, accept, "Bearer " + token);
      } else if (credentials instanceof RegistryCredentials.Basic && token == null) {
        response = exchange(repository, method, path, accept, authorization(null));
      }
      if (response.statusCode() == 401 || response.statusCode() == 403) {
        drain(response);
        throw new RegistryException(repository.registry() + " refused " + (credentials instanceof RegistryCredentials.Anonymous ? "anonymous" : "the given")
            + " credentials for " + repository.scope() + " (" + response.statusCode() + "): give credentials that may pull it", response.statusCode());
      }
    }
    return response;
  }

  private String authorization(String token) {
    if (token != null) {
      return "Bearer " + token;
    }
    return switch (credentials) {
      case RegistryCredentials.Basic basic -> basic.header();
      case RegistryCredentials.Bearer bearer -> "Bearer " + bearer.token();
      case RegistryCredentials.Anonymous anonymous -> null;
    };
  }

  /** Distribution's token flow: GET realm?service=&scope= with the credentials, read token (or access_token). */
  private String token(ImageReference repository, String challenge, String scope) throws RegistryException {
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(), m.group(2));
    }
    String realm = params.get("realm");
    if (realm == null || !(realm.startsWith("https://") || (plainHttp && realm.startsWith("http://")))) {
      throw new RegistryException(repository.registry() + " asks for a bearer token from realm '" + realm + "', which is not an https URL");
    }
    try {
      hostCheck.check(URI.create(realm).getHost());
    } catch (IllegalArgumentException e) {
      throw new RegistryException(repository.registry() + " names a token service that is not a URL");
    }
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
    if (params.containsKey("service")) {
      url.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)).append('&');
    }
    url.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString())).timeout(limits.timeout()).GET();
    if (credentials instanceof RegistryCredentials.Basic basic) {
      request.header("Authorization", basic.header());
    }
    try {
      HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        drain(response);
        throw new RegistryException("the token service of " + repository.registry() + " answered " + response.statusCode()
            + " for " + scope + ": check the credentials", response.statusCode());
      }
      JsonNode body = parse(read(response, 1 << 20, "token of " + repository.registry()), "token of " + repository.registry());
      String token = body.path("token").asText(body.path("access_token").asText(null));
      if (token == null || token.isEmpty()) {
        throw new RegistryException("the token service of " + repository.registry() + " returned no token");
      }
      return token;
    } catch (IOException e) {
      throw new RegistryException("cannot reach the token service of " + repository.registry() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted");
    }
  }

  private HttpResponse<InputStream> exchange(ImageReference repository, String method, String path, String accept, String authorization)
      throws RegistryException {
    URI uri;
    try {
      uri = URI.create((plainHttp ? "http://" : "https://") + repository.registry() + path);
    } catch (IllegalArgumentException e) {
      throw new RegistryException("cannot ask " + repository.registry() + " for " + path + ": not a valid URL");
    }
    String registryAuthority = uri.getRawAuthority();
    for (int hop = 0; ; hop++) {
      hostCheck.check(uri.getHost());
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(limits.timeout()).method(method, HttpRequest.BodyPublishers.noBody())
          .header("Accept", accept);
      if (authorization != null && registryAuthority.equals(uri.getRawAuthority()) && uri.getScheme().equals(plainHttp ? "http" : "https")) {
        request.header("Authorization", authorization); // never to a host the registry redirects to
      }
      HttpResponse<InputStream> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        throw new RegistryException("cannot reach " + uri.getHost() + " (" + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "): check the address, and the CA if it uses a private one");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException("interrupted");
      }
      int status = response.statusCode();
      if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
        return response;
      }
      String location = response.headers().firstValue("Location").orElse(null);
      drain(response);
      if (location == null || hop == 4) {
        throw new RegistryException(repository.registry() + " redirected " + path + (location == null ? " without a Location" : " more than 4 times"));
      }
      URI next;
      try {
        next = uri.resolve(location);
      } catch (IllegalArgumentException e) {
        throw new RegistryException(repository.registry() + " redirected " + path + " to something that is not a URL");
      }
      if (!"https".equals(next.getScheme()) && !(plainHttp && "http".equals(next.getScheme()))) {
        throw new RegistryException(repository.registry() + " redirected " + path + " to a " + next.getScheme() + " URL: refused, https only");
      }
      uri = next;
    }
  }

  private static void expectOk(ImageReference repository, HttpResponse<InputStream> response, String what) throws RegistryException {
    if (response.statusCode() != 200) {
      drain(response);
      throw new RegistryException(repository.registry() + " answered " + response.statusCode() + " for " + what + " of " + repository.scope(),
          response.statusCode());
    }
  }

  private static final java.util.concurrent.ScheduledExecutorService WATCHDOG = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("registry-read-deadline").factory());

  /** The body, at most {@code max} bytes, read within the request timeout: a body dripped a byte at a time is cut off. */
  private byte[] read(HttpResponse<InputStream> response, int max, String what) throws RegistryException {
    InputStream in = response.body();
    var deadline = WATCHDOG.schedule(() -> {
      try {
        in.close();
      } catch (IOException ignored) {
        // closing is all that matters
      }
    }, limits.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    try (in) {
      byte[] body = in.readNBytes(max + 1);
      if (deadline.isDone()) {
        throw new RegistryException(what + " was not read within " + limits.timeout().toSeconds() + " s: refused");
      }
      if (body.length > max) {
        throw new RegistryException(what + " is larger than " + max + " bytes: refused");
      }
      return body;
    } catch (IOException e) {
      throw new RegistryException(deadline.isDone() ? what + " was not read within " + limits.timeout().toSeconds() + " s: refused"
          : "reading " + what + " failed: " + e.getMessage());
    } finally {
      deadline.cancel(false);
    }
  }

  private static void drain(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      // nothing is read: closing gives the connection up, and a body dripped forever cannot hold this thread
    } catch (IOException ignored) {
      // closing is all that matters
    }
  }

  private static JsonNode parse(byte[] body, String what) throws RegistryException {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new RegistryException(what + " is not JSON: " + e.getMessage());
    }
  }

  public static String sha256(byte[] body) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
