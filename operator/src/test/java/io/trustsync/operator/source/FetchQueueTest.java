package io.trustsync.operator.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fetch queue's fairness: no namespace can take every fetch slot, and tenants never take the platform's. */
class FetchQueueTest {
  private final CountDownLatch hostile = new CountDownLatch(1);
  private final List<String> finished = new CopyOnWriteArrayList<>();
  private final FetchQueue queue = new FetchQueue(2, 4, 2, Set.of("platform"), finished::add);

  @AfterEach
  void release() {
    hostile.countDown();
    queue.close();
  }

  private Runnable stuck(AtomicInteger started) {
    return () -> {
      started.incrementAndGet();
      try {
        hostile.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Test
  void oneNamespaceRunsAtMostItsShareHoweverManySourcesItHas() {
    AtomicInteger started = new AtomicInteger();
    for (int i = 0; i < 8; i++) {
      queue.submit("tenant-a", "tenant-a/s" + i, stuck(started));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 2);
    assertThat(queue.load()).isEqualTo(List.of(2, 0, 6));
  }

  @Test
  void theplatformNamespaceFetchesWhileEveryTenantSlotIsHeldByHostileServers() {
    AtomicInteger hostileStarted = new AtomicInteger();
    for (String tenant : List.of("tenant-a", "tenant-b", "tenant-c")) {
      for (int i = 0; i < 4; i++) {
        queue.submit(tenant, tenant + "/s" + i, stuck(hostileStarted));
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> hostileStarted.get() == 4);
    CountDownLatch platformDone = new CountDownLatch(1);

    queue.submit("platform", "platform/policies", platformDone::countDown);

    await().atMost(Duration.ofSeconds(10)).until(() -> platformDone.getCount() == 0);
    assertThat(finished).containsExactly("platform/policies");
    assertThat(hostileStarted.get()).as("tenant slots stay capped").isEqualTo(4);
  }

  @Test
  void tenantsTakeTurnsSoAQuietTenantIsNotStuckBehindABusyOne() {
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch firstDone = new CountDownLatch(1);
    try (FetchQueue narrow = new FetchQueue(2, 2, 1, Set.of(), key -> {})) {
      narrow.submit("busy", "busy/0", () -> {
        order.add("busy/0");
        waitFor(firstDone);
      });
      narrow.submit("busy", "busy/1", () -> {
        order.add("busy/1");
        waitFor(hostile);
      });
      for (int i = 2; i < 6; i++) {
        String key = "busy/" + i;
        narrow.submit("busy", key, () -> order.add(key));
      }
      narrow.submit("other", "other/a", () -> order.add("other/a"));
      await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 2);

      firstDone.countDown(); // one slot frees up: it goes to the tenant that has waited, not to busy/2

      await().atMost(Duration.ofSeconds(10)).until(() -> order.size() >= 3);
      assertThat(order.get(2)).isEqualTo("other/a");
    }
  }

  private static void waitFor(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aSourceAskedForAgainWhileFetchingRunsOnceMoreNotTwice() {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    queue.submit("ns", "ns/s", () -> {
      runs.incrementAndGet();
      first.countDown();
      try {
        letGo.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> first.getCount() == 0);
    queue.submit("ns", "ns/s", runs::incrementAndGet);
    queue.submit("ns", "ns/s", runs::incrementAndGet);
    letGo.countDown();

    await().atMost(Duration.ofSeconds(10)).until(() -> finished.size() == 2);
    assertThat(runs.get()).isEqualTo(2);
    assertThat(queue.busy("ns/s")).isFalse();
  }
}
