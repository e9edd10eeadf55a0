package io.trustsync.testing;

import io.trustsync.local.LocalTrustSync;
import io.trustsync.operator.TrustSyncOperator;
import java.nio.file.Path;

/**
 * Operator settings for tests on loopback: {@link LocalTrustSync#settings} (Git and member API
 * servers on 127.0.0.1) plus plain {@code http://} Git URLs, which most end-to-end tests use for
 * brevity. Tests about the defaults start from {@link TrustSyncOperator.Settings#defaults}.
 */
public final class TestSettings {
  private TestSettings() {}

  public static TrustSyncOperator.Settings loopback(Path cacheDir) {
    TrustSyncOperator.Settings local = LocalTrustSync.settings(cacheDir);
    return local.withSources(local.sources().allowingPlainHttp());
  }
}
