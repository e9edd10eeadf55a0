package io.trustsync.operator.member;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Short-lived, audience-bound tokens of hub ServiceAccounts (the TokenRequest API), for members
 * whose API servers trust the hub's service-account issuer. No Secret holds them: each lives in
 * memory for its lifetime and is renewed in the background once two thirds of it have passed,
 * so a request never waits for the hub unless a token has actually expired.
 *
 * <p>The audience is always {@value #AUDIENCE_PREFIX} followed by the member's server URL, never
 * one a tenant chooses: a token minted for one member is refused by every other member (each
 * trusts only its own audience) and by the hub itself, whose API audiences never start so.
 */
public final class ServiceAccountTokens implements AutoCloseable {
  public static final String AUDIENCE_PREFIX = "trustsync:";
  public static final String DEFAULT_SERVICE_ACCOUNT = "trustsync-member";
  public static final long DEFAULT_EXPIRATION_SECONDS = 600;
  /** The API server's floor for expirationSeconds. */
  public static final long MIN_EXPIRATION_SECONDS = 600;
  public static final long MAX_EXPIRATION_SECONDS = 3600;

  /** Which token: a ServiceAccount of a namespace, for an audience, with a lifetime. */
  public record Key(String namespace, String serviceAccount, String audience, long expirationSeconds) {
    @Override
    public String toString() {
      return "ServiceAccount " + namespace + "/" + serviceAccount + " (audience " + audience + ")";
    }
  }

  /** Thrown when the hub will not issue the token; the message says why and what to do. */
  public static final class TokenUnavailableException extends Exception {
    public TokenUnavailableException(String message) {
      super(message);
    }
  }

  private record Issued(String token, Instant renewAt, Instant expiresAt) {}

  private final KubernetesClient hub;
  private final Clock clock;
  private final Map<Key, Issued> issued = new ConcurrentHashMap<>();
  private final Map<Key, Boolean> renewing = new ConcurrentHashMap<>();
  private final ExecutorService renewals = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("member-token-renewal").factory());

  public ServiceAccountTokens(KubernetesClient hub, Clock clock) {
    this.hub = hub;
    this.clock = clock;
  }

  public static String audience(String server) {
    String trimmed = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    return AUDIENCE_PREFIX + trimmed;
  }

  /** A current token, requested from the hub now if there is none or it is past its renewal time. */
  public String token(Key key) throws TokenUnavailableException {
    Issued current = issued.get(key);
    Instant now = clock.instant();
    if (current != null && now.isBefore(current.renewAt())) {
      return current.token();
    }
    return request(key).token();
  }

  /**
   * The token to put on a request: the one held, renewed in the background once past its renewal
   * time; only an expired (or never issued) token is requested on the caller's thread.
   */
  String forRequest(Key key) throws TokenUnavailableException {
    Issued current = issued.get(key);
    Instant now = clock.instant();
    if (current == null || !now.isBefore(current.expiresAt())) {
      return request(key).token();
    }
    if (!now.isBefore(current.renewAt()) && renewing.putIfAbsent(key, Boolean.TRUE) == null) {
      renewals.execute(() -> {
        try {
          request(key);
        } catch (TokenUnavailableException e) {
          // the held token is still valid; the next request tries again, and the probe reports it
        } finally {
          renewing.remove(key);
        }
      });
    }
    return current.token();
  }

  /** Forgets the tokens of a member that is gone or changed. */
  public void forget(Key key) {
    issued.remove(key);
  }

  private Issued request(Key key) throws TokenUnavailableException {
    TokenRequest request = new TokenRequestBuilder().withNewSpec()
        .withAudiences(key.audience())
        .withExpirationSeconds(key.expirationSeconds())
        .endSpec().build();
    TokenRequest answer;
    try {
      answer = hub.serviceAccounts().inNamespace(key.namespace()).withName(key.serviceAccount()).tokenRequest(request);
    } catch (RuntimeException e) {
      int code = e instanceof KubernetesClientException k ? k.getCode() : 0;
      throw new TokenUnavailableException(switch (code) {
        case 404 -> "ServiceAccount " + key.namespace() + "/" + key.serviceAccount() + " does not exist on the hub; create it"
            + " (kubectl -n " + key.namespace() + " create serviceaccount " + key.serviceAccount() + ") or name another in"
            + " spec.serviceAccountToken.serviceAccountName";
        case 403 -> "the operator may not request tokens for ServiceAccounts in namespace " + key.namespace()
            + " (create serviceaccounts/token); grant it there (docs/keyless.md)";
        default -> "the hub did not issue a token for " + key + " (" + (code == 0 ? e.getClass().getSimpleName() : "HTTP " + code) + ")";
      });
    }
    if (answer == null || answer.getStatus() == null || answer.getStatus().getToken() == null) {
      throw new TokenUnavailableException("the hub answered the token request for " + key + " without a token");
    }
    Instant now = clock.instant();
    Instant expires;
    try {
      expires = Instant.parse(answer.getStatus().getExpirationTimestamp());
    } catch (RuntimeException e) {
      expires = now.plusSeconds(key.expirationSeconds());
    }
    Duration lifetime = Duration.between(now, expires);
    if (lifetime.isNegative()) {
      lifetime = Duration.ZERO;
    }
    Issued fresh = new Issued(answer.getStatus().getToken(), now.plus(lifetime.multipliedBy(2).dividedBy(3)), expires);
    issued.put(key, fresh);
    return fresh;
  }

  /** Puts the member's current token on every request of its client, in place of any other credential. */
  Interceptor interceptor(Key key) {
    return new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        try {
          builder.setHeader("Authorization", "Bearer " + forRequest(key));
        } catch (TokenUnavailableException e) {
          // no credential at all: the member answers 401, and the probe reports why
        }
      }
    };
  }

  @Override
  public void close() {
    renewals.shutdownNow();
    issued.clear();
  }
}
