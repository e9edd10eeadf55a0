package io.trustsync.operator.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TrustSyncMetricsTest {
  @Test
  void aClusterDeselectedAndSelectedAgainExportsItsSeriesAgain() {
    TrustSyncMetrics metrics = new TrustSyncMetrics();
    metrics.syncState("team-a/production", "eu-1", "Synced");
    metrics.driftedObjects("team-a/production", "eu-1", 2);
    metrics.lastSync("team-a/production", "eu-1", Instant.ofEpochSecond(1_000));
    assertThat(metrics.scrape()).contains("cluster=\"eu-1\"");

    metrics.forgetCluster("team-a/production", "eu-1");
    assertThat(metrics.scrape()).doesNotContain("cluster=\"eu-1\"");

    metrics.syncState("team-a/production", "eu-1", "Drifted");
    metrics.driftedObjects("team-a/production", "eu-1", 1);
    String scrape = metrics.scrape();
    assertThat(scrape).contains("trustsync_cluster_sync_state{cluster=\"eu-1\",distribution=\"team-a/production\",state=\"Drifted\"} 1.0");
    assertThat(scrape).contains("trustsync_drifted_objects{cluster=\"eu-1\",distribution=\"team-a/production\"} 1.0");
  }
}
