package io.trustsync.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.rendering.ConsumerStatus.Verdict;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumerStatusTest {
  private static final RenderedKind V1 = RenderedKind.of("config.ratify.deislabs.io/v1beta1", "NamespacedVerifier");
  private static final RenderedKind V2 = RenderedKind.of("config.ratify.sh/v2beta1", "Executor");

  @Test
  void readsEachRatifyVersionsOwnFields() {
    assertThat(ConsumerStatus.of(V1, Map.of("issuccess", true)).verdict()).isEqualTo(Verdict.ACCEPTED);
    assertThat(ConsumerStatus.of(V2, Map.of("succeeded", true)).verdict()).isEqualTo(Verdict.ACCEPTED);
    ConsumerStatus v1 = ConsumerStatus.of(V1, Map.of("issuccess", false, "brieferror", "failed to create verifier", "error", "long"));
    assertThat(v1.verdict()).isEqualTo(Verdict.REJECTED);
    assertThat(v1.message()).contains("failed to create verifier").doesNotContain("long");
    ConsumerStatus v2 = ConsumerStatus.of(V2, Map.of("succeeded", false, "error", "duplicate trust store type ca detected"));
    assertThat(v2.verdict()).isEqualTo(Verdict.REJECTED);
    assertThat(v2.message()).contains("status.succeeded: false").contains("duplicate trust store type ca");
    // one version's field does not count for the other
    assertThat(ConsumerStatus.of(V2, Map.of("issuccess", true)).verdict()).isEqualTo(Verdict.PENDING);
    assertThat(ConsumerStatus.of(V1, null).verdict()).isEqualTo(Verdict.PENDING);
  }

  @Test
  void nativeKindsHaveNoConsumerStatus() {
    assertThat(ConsumerStatus.of(RenderedKind.TRUST_POLICY, Map.of("issuccess", false)).verdict()).isEqualTo(Verdict.NONE);
  }
}
