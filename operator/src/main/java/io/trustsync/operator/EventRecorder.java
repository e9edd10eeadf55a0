package io.trustsync.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes events on hub resources for every state change. Writes happen off the
 * reconcile path: an event that cannot be written is logged, never fails a reconcile.
 */
public final class EventRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private final KubernetesClient client;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("trustsync-events").factory());

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void normal(HasMetadata involved, String reason, String message) {
    record(involved, "Normal", reason, message);
  }

  public void warning(HasMetadata involved, String reason, String message) {
    record(involved, "Warning", reason, message);
  }

  private void record(HasMetadata involved, String type, String reason, String message) {
    LOG.info("{} {}/{}: {} {}", involved.getKind(), involved.getMetadata().getNamespace(), involved.getMetadata().getName(), reason, message);
    String namespace = involved.getMetadata().getNamespace();
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(involved.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13))
        .withNamespace(namespace)
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(involved.getApiVersion())
            .withKind(involved.getKind())
            .withName(involved.getMetadata().getName())
            .withNamespace(namespace)
            .withUid(involved.getMetadata().getUid())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(message.length() > 1000 ? message.substring(0, 1000) + "..." : message)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource("trustsync", null)
        .withReportingComponent("trustsync")
        .build();
    writer.execute(() -> {
      try {
        client.v1().events().inNamespace(namespace).resource(event).create();
      } catch (RuntimeException e) {
        LOG.debug("could not record event {}: {}", reason, e.getMessage());
      }
    });
  }

  @Override
  public void close() {
    writer.shutdown();
  }
}
