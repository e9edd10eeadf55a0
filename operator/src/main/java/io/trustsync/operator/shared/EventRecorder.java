package io.trustsync.operator.shared;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes events on hub resources, deduplicated the way client-go's event
 * correlator does it: one Event per (object, type, reason, message), named from that key, whose
 * {@code count} and {@code lastTimestamp} go up when the same thing happens again. A source that
 * fails to fetch at every poll, or a cluster whose policy someone keeps editing back, has one
 * Event with a count, not one Event per occurrence.
 *
 * <p>Writes happen off the reconcile path on one thread. What waits to be written is bounded:
 * repeats of an Event already waiting merge into that one write, and when {@link #MAX_PENDING}
 * distinct Events wait, new ones are dropped and counted ({@link #dropped()}), never blocking a
 * reconcile. An event that cannot be written is logged, never fails a reconcile.
 */
public final class EventRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final int MAX_PENDING = 1_000;
  /** Aggregates remembered; an older one is forgotten and its Event continued from what the API server has. */
  static final int MAX_REMEMBERED = 10_000;
  private static final int MAX_MESSAGE = 1_000;

  private final KubernetesClient client;
  private final Thread writer;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();

  // Guarded by this.
  private final Map<String, Aggregate> aggregates = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Aggregate> eldest) {
      return size() > MAX_REMEMBERED && !pending.contains(eldest.getKey());
    }
  };
  private final LinkedHashSet<String> pending = new LinkedHashSet<>();
  private boolean closed;

  /** One Event as this replica knows it: what was last recorded and whether the API server has it. */
  private static final class Aggregate {
    final String namespace;
    final String name;
    final Event template;
    int count;
    String firstTimestamp;
    String lastTimestamp;
    String message;
    boolean created;

    Aggregate(String namespace, String name, Event template) {
      this.namespace = namespace;
      this.name = name;
      this.template = template;
    }
  }

  public EventRecorder(KubernetesClient client) {
    this.client = client;
    this.writer = Thread.ofVirtual().name("trustsync-events").start(this::writeLoop);
  }

  public void normal(HasMetadata involved, String reason, String message) {
    record(involved, "Normal", reason, message);
  }

  public void warning(HasMetadata involved, String reason, String message) {
    record(involved, "Warning", reason, message);
  }

  /** Events not written because too many waited. */
  public long dropped() {
    return dropped.get();
  }

  /** Write requests made (creates and patches): what aggregation keeps small. */
  public long written() {
    return written.get();
  }

  private void record(HasMetadata involved, String type, String reason, String message) {
    LOG.info("{} {}/{}: {} {}", involved.getKind(), involved.getMetadata().getNamespace(), involved.getMetadata().getName(), reason, message);
    String namespace = involved.getMetadata().getNamespace();
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "..." : message;
    String key = involved.getMetadata().getUid() + "|" + involved.getKind() + "|" + namespace + "/" + involved.getMetadata().getName()
        + "|" + type + "|" + reason + "|" + text;
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    synchronized (this) {
      if (closed) {
        return;
      }
      Aggregate aggregate = aggregates.get(key);
      if (aggregate == null) {
        if (pending.size() >= MAX_PENDING) {
          dropped.incrementAndGet();
          return;
        }
        aggregate = new Aggregate(namespace, name(involved, key), template(involved, type, reason));
        aggregate.firstTimestamp = now;
        aggregates.put(key, aggregate);
      } else if (!pending.contains(key) && pending.size() >= MAX_PENDING) {
        dropped.incrementAndGet();
        return;
      }
      aggregate.count++;
      aggregate.lastTimestamp = now;
      aggregate.message = text;
      pending.add(key);
      notifyAll();
    }
  }

  private void writeLoop() {
    while (true) {
      String key;
      Aggregate aggregate;
      Event snapshot;
      synchronized (this) {
        while (pending.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (pending.isEmpty()) {
          return; // closed and nothing left
        }
        key = pending.iterator().next();
        pending.remove(key);
        aggregate = aggregates.get(key);
        if (aggregate == null) {
          continue;
        }
        snapshot = event(aggregate);
      }
      try {
        boolean created = write(aggregate, snapshot);
        synchronized (this) {
          aggregate.created |= created;
        }
      } catch (RuntimeException e) {
        LOG.debug("could not record event {}: {}", snapshot.getReason(), e.getMessage());
      }
    }
  }

  /** Creates the Event, or patches it when it exists; true once the API server has it. */
  private boolean write(Aggregate aggregate, Event event) {
    var events = client.v1().events().inNamespace(aggregate.namespace);
    if (!aggregate.created) {
      try {
        written.incrementAndGet();
        events.resource(event).create();
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // written before this replica started (or by the previous leader): continue its count
        Event existing = events.withName(aggregate.name).get();
        if (existing != null && existing.getCount() != null) {
          synchronized (this) {
            aggregate.count += existing.getCount();
            if (existing.getFirstTimestamp() != null) {
              aggregate.firstTimestamp = existing.getFirstTimestamp();
            }
            event = event(aggregate);
          }
        }
      }
    }
    try {
      written.incrementAndGet();
      events.withName(aggregate.name).patch(PatchContext.of(PatchType.JSON_MERGE), patch(event));
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      // the API server expired it (events live an hour): start it again
      written.incrementAndGet();
      events.resource(event).create();
      return true;
    }
  }

  private static String patch(Event event) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("count", event.getCount());
    fields.put("firstTimestamp", event.getFirstTimestamp());
    fields.put("lastTimestamp", event.getLastTimestamp());
    fields.put("message", event.getMessage());
    try {
      return io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().writeValueAsString(fields);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Event template(HasMetadata involved, String type, String reason) {
    String namespace = involved.getMetadata().getNamespace();
    return new EventBuilder()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(involved.getApiVersion())
            .withKind(involved.getKind())
            .withName(involved.getMetadata().getName())
            .withNamespace(namespace)
            .withUid(involved.getMetadata().getUid())
            .build())
        .withType(type)
        .withReason(reason)
        .withNewSource("trustsync", null)
        .withReportingComponent("trustsync")
        .build();
  }

  private static Event event(Aggregate aggregate) {
    return new EventBuilder(aggregate.template)
        .withNewMetadata().withName(aggregate.name).withNamespace(aggregate.namespace).endMetadata()
        .withMessage(aggregate.message)
        .withFirstTimestamp(aggregate.firstTimestamp)
        .withLastTimestamp(aggregate.lastTimestamp)
        .withCount(aggregate.count)
        .build();
  }

  /** {@code <object>.<16 hex digits of the key's hash>}: the same (object, type, reason, message) always names the same Event. */
  private static String name(HasMetadata involved, String key) {
    String object = involved.getMetadata().getName();
    if (object.length() > 200) {
      object = object.substring(0, 200);
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return object + "." + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes what waits (briefly), then stops. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      writer.join(java.time.Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.interrupt();
  }
}
