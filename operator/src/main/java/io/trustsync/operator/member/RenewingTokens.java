package io.trustsync.operator.member;

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
 * Short-lived bearer tokens for members, held in memory only and renewed once two thirds of their
 * lifetime have passed. A renewal runs in the background while the held token is still valid, so
 * a member request waits for the token issuer only when its token has actually expired.
 */
public abstract class RenewingTokens<K> implements AutoCloseable {
  /** Thrown when no token can be had; the message says why and what to do. */
  public static final class TokenUnavailableException extends Exception {
    public TokenUnavailableException(String message) {
      super(message);
    }
  }

  private record Issued(String token, Instant renewAt, Instant expiresAt) {}

  private final Clock clock;
  private final String threadName;
  private final Map<K, Issued> issued = new ConcurrentHashMap<>();
  private final Map<K, Boolean> renewing = new ConcurrentHashMap<>();
  private volatile ExecutorService renewals;

  protected RenewingTokens(Clock clock, String threadName) {
    this.clock = clock;
    this.threadName = threadName;
  }

  /** Asks the issuer for a new token: its text and when it expires. */
  protected abstract Map.Entry<String, Instant> issue(K key) throws TokenUnavailableException;

  protected Clock clock() {
    return clock;
  }

  /** A current token, requested now if there is none or it is past its renewal time. */
  public String token(K key) throws TokenUnavailableException {
    Issued current = issued.get(key);
    if (current != null && clock.instant().isBefore(current.renewAt())) {
      return current.token();
    }
    return request(key).token();
  }

  /** The token to put on a request: the one held (renewed in the background when due), or a new one once it expired. */
  String forRequest(K key) throws TokenUnavailableException {
    Issued current = issued.get(key);
    Instant now = clock.instant();
    if (current == null || !now.isBefore(current.expiresAt())) {
      return request(key).token();
    }
    if (!now.isBefore(current.renewAt()) && renewing.putIfAbsent(key, Boolean.TRUE) == null) {
      executor().execute(() -> {
        try {
          request(key);
        } catch (TokenUnavailableException e) {
          // the held token is still valid; the next request tries again, and the probe reports why
        } finally {
          renewing.remove(key);
        }
      });
    }
    return current.token();
  }

  public void forget(K key) {
    issued.remove(key);
  }

  private Issued request(K key) throws TokenUnavailableException {
    Instant now = clock.instant();
    Map.Entry<String, Instant> answer = issue(key);
    Duration lifetime = Duration.between(now, answer.getValue());
    if (lifetime.isNegative()) {
      lifetime = Duration.ZERO;
    }
    Issued fresh = new Issued(answer.getKey(), now.plus(lifetime.multipliedBy(2).dividedBy(3)), answer.getValue());
    issued.put(key, fresh);
    return fresh;
  }

  private synchronized ExecutorService executor() {
    if (renewals == null) {
      renewals = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name(threadName).factory());
    }
    return renewals;
  }

  /** Puts the current token on every request of a member's client, in place of any other credential. */
  Interceptor interceptor(K key) {
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
  public synchronized void close() {
    if (renewals != null) {
      renewals.shutdownNow();
    }
    issued.clear();
  }
}
