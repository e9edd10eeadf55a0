package io.trustsync.operator.member;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

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
public final class ServiceAccountTokens extends RenewingTokens<ServiceAccountTokens.Key> {
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

  private final KubernetesClient hub;

  public ServiceAccountTokens(KubernetesClient hub, Clock clock) {
    super(clock, "member-token-renewal");
    this.hub = hub;
  }

  public static String audience(String server) {
    String trimmed = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    return AUDIENCE_PREFIX + trimmed;
  }

  @Override
  protected Map.Entry<String, Instant> issue(Key key) throws TokenUnavailableException {
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
    try {
      return Map.entry(answer.getStatus().getToken(), Instant.parse(answer.getStatus().getExpirationTimestamp()));
    } catch (RuntimeException e) {
      return Map.entry(answer.getStatus().getToken(), clock().instant().plusSeconds(key.expirationSeconds()));
    }
  }
}
