package io.trustsync.operator.source;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every Git fetch runs, off the reconcile threads, so no source can hold up another
 * resource's reconcile. Bounded and fair between namespaces:
 * <ul>
 *   <li>a namespace runs at most {@code perNamespace} fetches at once, however many sources it has;
 *   <li>tenant namespaces share {@code tenantSlots} fetches at once, taking turns round robin;
 *   <li>platform namespaces have {@code platformSlots} of their own, so tenants' slow or hostile
 *       servers can never delay the platform team's sources.
 * </ul>
 * A source is queued or running at most once; asking again while it is marks it to run once more.
 */
public final class FetchQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FetchQueue.class);

  private record Job(String namespace, String key, Runnable work) {}

  /** How many fetches may run at once: per namespace, for tenants together, for platform namespaces. */
  public record Settings(int perNamespace, int tenantSlots, int platformSlots, Set<String> platformNamespaces) {
    public static final Settings DEFAULT = new Settings(2, 4, 2, Set.of());

    public Settings {
      platformNamespaces = Set.copyOf(platformNamespaces);
    }

    public Settings withPlatformNamespaces(Set<String> namespaces) {
      return new Settings(perNamespace, tenantSlots, platformSlots, namespaces);
    }

    FetchQueue queue(Consumer<String> finished) {
      return new FetchQueue(perNamespace, tenantSlots, platformSlots, platformNamespaces, finished);
    }
  }

  private final int perNamespace;
  private final int tenantSlots;
  private final int platformSlots;
  private final Set<String> platformNamespaces;
  private final Consumer<String> finished;

  // Guarded by this.
  private final Map<String, Deque<Job>> queued = new LinkedHashMap<>();
  private final Map<String, Integer> runningByNamespace = new HashMap<>();
  private final Set<String> active = new HashSet<>();
  /** When each namespace last started a fetch: the one served longest ago goes first. */
  private final Map<String, Long> lastServed = new HashMap<>();
  private long turn;
  private final Map<String, Runnable> again = new HashMap<>();
  private int runningTenant;
  private int runningPlatform;
  private boolean closed;

  /** {@code finished} hears the key of every fetch that completed, on the fetch's thread. */
  public FetchQueue(int perNamespace, int tenantSlots, int platformSlots, Set<String> platformNamespaces, Consumer<String> finished) {
    if (perNamespace < 1 || tenantSlots < 1 || platformSlots < 1) {
      throw new IllegalArgumentException("fetch concurrency settings must be at least 1");
    }
    this.perNamespace = perNamespace;
    this.tenantSlots = tenantSlots;
    this.platformSlots = platformSlots;
    this.platformNamespaces = Set.copyOf(platformNamespaces);
    this.finished = finished;
  }

  /** Queues {@code work} for the source {@code key} unless it is queued or running already. */
  public synchronized void submit(String namespace, String key, Runnable work) {
    if (closed) {
      return;
    }
    if (active.contains(key)) {
      again.put(key, work);
      return;
    }
    active.add(key);
    queued.computeIfAbsent(namespace, n -> new ArrayDeque<>()).add(new Job(namespace, key, work));
    dispatch();
  }

  /** Forgets namespaces with nothing queued or running, so the bookkeeping stays as small as the work. */
  private void tidy(String namespace) {
    if (!queued.containsKey(namespace) && runningByNamespace.getOrDefault(namespace, 0) == 0) {
      runningByNamespace.remove(namespace);
      lastServed.remove(namespace);
    }
  }

  public synchronized boolean busy(String key) {
    return active.contains(key);
  }

  /** Starts every job a free slot allows, visiting namespaces in turn. */
  private void dispatch() {
    boolean started = true;
    while (started) {
      started = false;
      List<String> order = new ArrayList<>(queued.keySet());
      order.sort(java.util.Comparator.comparingLong(n -> lastServed.getOrDefault(n, -1L)));
      for (String namespace : order) {
        Deque<Job> jobs = queued.get(namespace);
        boolean platform = platformNamespaces.contains(namespace);
        if (runningByNamespace.getOrDefault(namespace, 0) >= perNamespace
            || (platform ? runningPlatform >= platformSlots : runningTenant >= tenantSlots)) {
          continue;
        }
        Job job = jobs.poll();
        if (jobs.isEmpty()) {
          queued.remove(namespace);
        }
        lastServed.put(namespace, turn++); // round robin: this namespace goes to the back of the line
        runningByNamespace.merge(namespace, 1, Integer::sum);
        if (platform) {
          runningPlatform++;
        } else {
          runningTenant++;
        }
        Thread.ofPlatform().daemon().name("fetch-" + job.key()).start(() -> run(job));
        started = true;
        break;
      }
    }
  }

  private void run(Job job) {
    try {
      job.work().run();
    } catch (RuntimeException e) {
      LOG.warn("fetch of {} failed unexpectedly: {}", job.key(), e.toString());
    } finally {
      Runnable next;
      synchronized (this) {
        runningByNamespace.merge(job.namespace(), -1, Integer::sum);
        if (platformNamespaces.contains(job.namespace())) {
          runningPlatform--;
        } else {
          runningTenant--;
        }
        next = again.remove(job.key());
        if (next != null && !closed) {
          queued.computeIfAbsent(job.namespace(), n -> new ArrayDeque<>()).add(new Job(job.namespace(), job.key(), next));
        } else {
          active.remove(job.key());
        }
        dispatch();
        tidy(job.namespace());
        notifyAll();
      }
      finished.accept(job.key());
    }
  }

  /** Drops what is queued for the source (it was deleted); a running fetch finishes on its own. */
  public synchronized void cancel(String namespace, String key) {
    Deque<Job> jobs = queued.get(namespace);
    if (jobs != null && jobs.removeIf(j -> j.key().equals(key))) {
      active.remove(key);
      if (jobs.isEmpty()) {
        queued.remove(namespace);
      }
    }
    again.remove(key);
  }

  @Override
  public synchronized void close() {
    closed = true;
    queued.clear();
    again.clear();
  }

  /**
   * Waits up to {@code limit} for the running fetches to finish (after {@link #close()}), so a
   * stopped operator leaves no thread writing into the cache; true if none is left.
   */
  public synchronized boolean awaitIdle(java.time.Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (runningTenant + runningPlatform > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Counts for tests and metrics: running tenant fetches, running platform fetches, queued. */
  public synchronized List<Integer> load() {
    return List.of(runningTenant, runningPlatform, queued.values().stream().mapToInt(Deque::size).sum());
  }
}
