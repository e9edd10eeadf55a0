package io.trustsync.source;

import java.time.Duration;

/**
 * What any PolicySource may make the operator do, whoever wrote it: which URL schemes, which
 * network addresses, how long a fetch may take and how much it may download and check out. The
 * defaults are the safe choice; each widening is one operator flag (see docs/security.md).
 *
 * <p>{@code allowPlainHttp}: {@code http://} URLs, never with credentials.
 * {@code allowLocal}: {@code file://} URLs, for tests only; the Deployment never sets it.
 */
public record SourceRules(
    boolean allowPlainHttp,
    boolean allowLocal,
    AddressRules addresses,
    Duration minInterval,
    Duration defaultTimeout,
    Duration maxTimeout,
    long maxFetchBytes,
    long maxObjectBytes,
    CheckoutLimits checkout) {

  public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_MAX_TIMEOUT = Duration.ofMinutes(5);
  /**
   * A policy repository's whole history is far smaller; a pack (or a clone on disk) beyond this is
   * hostile or a mistake. It also bounds each source's share of the cache volume.
   */
  public static final long DEFAULT_MAX_FETCH_BYTES = 64L * 1024 * 1024;
  /**
   * Largest object a fetched pack may hold, checked from the object's header before it is
   * inflated or a delta is applied: a delta of a few bytes can describe gigabytes.
   */
  public static final long DEFAULT_MAX_OBJECT_BYTES = 16L * 1024 * 1024;

  public static final SourceRules DEFAULT = new SourceRules(false, false, AddressRules.DEFAULT, DEFAULT_MIN_INTERVAL,
      DEFAULT_TIMEOUT, DEFAULT_MAX_TIMEOUT, DEFAULT_MAX_FETCH_BYTES, DEFAULT_MAX_OBJECT_BYTES, CheckoutLimits.DEFAULT);

  public SourceRules {
    if (defaultTimeout.compareTo(maxTimeout) > 0) {
      defaultTimeout = maxTimeout;
    }
  }

  public SourceRules allowingPlainHttp() {
    return new SourceRules(true, allowLocal, addresses, minInterval, defaultTimeout, maxTimeout, maxFetchBytes, maxObjectBytes, checkout);
  }

  public SourceRules allowingLocal() {
    return new SourceRules(allowPlainHttp, true, addresses, minInterval, defaultTimeout, maxTimeout, maxFetchBytes, maxObjectBytes, checkout);
  }

  public SourceRules withAddresses(AddressRules newAddresses) {
    return new SourceRules(allowPlainHttp, allowLocal, newAddresses, minInterval, defaultTimeout, maxTimeout, maxFetchBytes, maxObjectBytes, checkout);
  }

  /** Loopback and private test servers reachable: what the test suite, demo and benchmark run with. */
  public SourceRules allowingLoopback() {
    return withAddresses(addresses.allowing(Cidr.parse("127.0.0.0/8")).allowing(Cidr.parse("::1/128")));
  }

  public SourceRules withMinInterval(Duration newMinInterval) {
    return new SourceRules(allowPlainHttp, allowLocal, addresses, newMinInterval, defaultTimeout, maxTimeout, maxFetchBytes, maxObjectBytes, checkout);
  }

  public SourceRules withTimeouts(Duration newDefault, Duration newMax) {
    return new SourceRules(allowPlainHttp, allowLocal, addresses, minInterval, newDefault, newMax, maxFetchBytes, maxObjectBytes, checkout);
  }

  public SourceRules withLimits(long newMaxFetchBytes, long newMaxObjectBytes, CheckoutLimits newCheckout) {
    return new SourceRules(allowPlainHttp, allowLocal, addresses, minInterval, defaultTimeout, maxTimeout, newMaxFetchBytes,
        newMaxObjectBytes, newCheckout);
  }

  /**
   * Refuses what these rules do not allow, before anything is sent: the scheme, credentials over
   * plain HTTP, and hosts whose addresses are denied. The message names the flag that would allow it.
   */
  public void check(GitSource source) throws SourceException {
    checkScheme(source);
    if (!source.url().startsWith("file://")) {
      addresses.check(source.host());
    }
  }

  /** The checks that need no name lookup: what a reconcile can decide at once, for good. */
  public void checkScheme(GitSource source) throws SourceException {
    String url = source.url();
    if (url.startsWith("file://")) {
      if (!allowLocal) {
        throw new SourceException("file:// URLs are refused: a PolicySource must name a Git server (https://, ssh:// or git@host:path)");
      }
      return;
    }
    if (url.startsWith("http://")) {
      if (source.hasCredentials()) {
        throw new SourceException("credentials are never sent over plain http:// (" + source.displayUrl()
            + "); use the server's https:// URL");
      }
      if (!allowPlainHttp) {
        throw new SourceException("plain http:// is refused (" + source.displayUrl()
            + "): use https:// or ssh://, or start the operator with --allow-insecure-http for a server without TLS");
      }
    }
  }
}
