package io.trustsync.operator.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.testing.Fleet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events that scale: repeats are counted on one Event, and what waits to be written is bounded. */
class EventRecorderIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(2);

  private static String namespace(KubernetesClient hub) {
    String name = "events-" + UUID.randomUUID().toString().substring(0, 6);
    hub.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    return name;
  }

  private static ConfigMap object(KubernetesClient hub, String namespace, String name) {
    return hub.configMaps().inNamespace(namespace)
        .resource(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build()).create();
  }

  private static List<Event> events(KubernetesClient hub, String namespace) {
    return hub.v1().events().inNamespace(namespace).list().getItems();
  }

  @Test
  void aRepeatedEventIsOneEventWithACountAndDifferentOnesStayApart() {
    KubernetesClient hub = fleet.hub().client();
    String namespace = namespace(hub);
    ConfigMap source = object(hub, namespace, "policies");
    Instant start = Instant.now();
    try (EventRecorder events = new EventRecorder(hub)) {
      for (int i = 0; i < 50; i++) {
        events.warning(source, "FetchFailed", "no Git repository could be fetched");
      }
      events.warning(source, "RevisionRejected", "commit abc rejected");
      events.normal(source, "RevisionAccepted", "accepted def");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(events(hub, namespace)).extracting(e -> e.getReason() + "=" + e.getCount())
            .containsExactlyInAnyOrder("FetchFailed=50", "RevisionRejected=1", "RevisionAccepted=1");
      });
      // fifty occurrences, far fewer writes: repeats waiting together are one write
      long eventWrites = fleet.hub().writesSince(start).stream().filter(w -> "events".equals(w.resource()) && namespace.equals(w.namespace())).count();
      assertThat(eventWrites).isEqualTo(events.written()).isLessThan(50);
    }
  }

  @Test
  void aRestartedRecorderContinuesTheCountOfTheEventItFindsAndRecreatesOneThatExpired() {
    KubernetesClient hub = fleet.hub().client();
    String namespace = namespace(hub);
    ConfigMap target = object(hub, namespace, "production.member-0");
    try (EventRecorder first = new EventRecorder(hub)) {
      first.warning(target, "ClusterUnreachable", "cluster member-0 is Unreachable");
      first.warning(target, "ClusterUnreachable", "cluster member-0 is Unreachable");
      await().atMost(Duration.ofSeconds(20)).until(() -> events(hub, namespace).stream().anyMatch(e -> e.getCount() == 2));
    }
    try (EventRecorder second = new EventRecorder(hub)) {
      second.warning(target, "ClusterUnreachable", "cluster member-0 is Unreachable");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(events(hub, namespace)).singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(3)));
      // the API server expires events; a later repeat starts a new one instead of failing
      hub.v1().events().inNamespace(namespace).delete();
      await().atMost(Duration.ofSeconds(20)).until(() -> events(hub, namespace).isEmpty());
      second.warning(target, "ClusterUnreachable", "cluster member-0 is Unreachable");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(events(hub, namespace)).singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(4)));
    }
  }

  @Test
  void aFloodOfDistinctEventsIsBoundedNotQueuedWithoutLimit() {
    KubernetesClient hub = fleet.hub().client();
    String namespace = namespace(hub);
    ConfigMap target = object(hub, namespace, "flooded");
    try (EventRecorder events = new EventRecorder(hub)) {
      int flood = EventRecorder.MAX_PENDING * 3;
      for (int i = 0; i < flood; i++) {
        events.warning(target, "DriftDetected", "Modified TrustPolicy/ns/p" + i);
      }
      // the writer cannot have kept up with a burst this size: the rest was dropped and counted
      assertThat(events.dropped()).isPositive();
      long dropped = events.dropped();
      await().atMost(Duration.ofSeconds(120)).until(() -> events(hub, namespace).size() == flood - dropped);
      assertThat(events.dropped()).isEqualTo(dropped);
    }
  }
}
