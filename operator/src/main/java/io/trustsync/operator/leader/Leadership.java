package io.trustsync.operator.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a Lease, and the {@link Fence} that goes with it. The lease says who leads;
 * the fence says whether this replica may write <em>now</em>: only until {@code renewDeadline}
 * after the start of its last successful renewal, measured on the monotonic clock. A replica
 * that was paused (SIGSTOP, a long GC, a frozen VM) finds on resuming that its last renewal is
 * too old and writes nothing, even before the elector notices that another replica took over.
 * A write may take at most {@link #writeTimeout()}, so even one started at the last permitted
 * moment ends before the lease could have passed to another replica.
 */
public final class Leadership implements Fence, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  public record Settings(String leaseName, String leaseNamespace, String identity, Duration leaseDuration,
      Duration renewDeadline, Duration retryPeriod, boolean exitOnStopLeading) {
    public Settings {
      if (renewDeadline.compareTo(leaseDuration) >= 0 || retryPeriod.compareTo(renewDeadline) >= 0) {
        throw new IllegalArgumentException("leader election needs retryPeriod < renewDeadline < leaseDuration");
      }
    }
  }

  private final KubernetesClient hub;
  private final Settings settings;
  private final Runnable onStart;
  private final Runnable onStop;
  private final ExecutorService executor = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("leader-election").factory());
  private volatile boolean leading;
  /**
   * System.nanoTime() at the start of the last renewal round that succeeded (before its read of
   * the Lease, which is before the renewTime it wrote was taken); only meaningful while leading.
   */
  private volatile long renewedAtNanos;
  private volatile long roundStartNanos;
  private CompletableFuture<?> election;

  /** {@code onStart}/{@code onStop} run when this replica gains or loses the lease. */
  public Leadership(KubernetesClient hub, Settings settings, Runnable onStart, Runnable onStop) {
    this.hub = hub;
    this.settings = settings;
    this.onStart = onStart;
    this.onStop = onStop;
  }

  public synchronized void start() {
    Lock lock = new RenewalRecordingLock(new LeaseLock(settings.leaseNamespace(), settings.leaseName(), settings.identity()));
    LeaderElector elector = new LeaderElectorBuilder(hub, executor)
        .withConfig(new LeaderElectionConfig(lock, settings.leaseDuration(), settings.renewDeadline(), settings.retryPeriod(),
            new LeaderCallbacks(this::started, this::stopped, leader -> LOG.info("leader is {}", leader)),
            true, settings.leaseName()))
        .build();
    election = elector.start();
  }

  public boolean leading() {
    return leading;
  }

  public String identity() {
    return settings.identity();
  }

  @Override
  public void check() {
    if (!leading) {
      throw new FencedException("not the leader: " + settings.identity() + " does not hold the lease " + settings.leaseName());
    }
    long sinceRenewal = System.nanoTime() - renewedAtNanos;
    if (sinceRenewal > settings.renewDeadline().toNanos()) {
      throw new FencedException("write fenced: the lease " + settings.leaseName() + " was last renewed "
          + Duration.ofNanos(sinceRenewal).toMillis() + " ms ago, more than the renew deadline of "
          + settings.renewDeadline().toMillis() + " ms; another replica may lead by now");
    }
  }

  @Override
  public Duration writeTimeout() {
    Duration margin = settings.leaseDuration().minus(settings.renewDeadline());
    return margin.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : margin;
  }

  private void started() {
    leading = true;
    LOG.info("{} is now the leader", settings.identity());
    // not on the elector's thread: starting the reconcilers waits for informers, and renewals must go on meanwhile
    Thread.ofPlatform().name("leader-start").start(onStart);
  }

  private void stopped() {
    boolean was = leading;
    leading = false;
    if (was) {
      LOG.warn("{} stopped leading", settings.identity());
      onStop.run();
      if (settings.exitOnStopLeading()) {
        LOG.warn("{} exits so that it restarts as a standby", settings.identity());
        // not on this thread: it holds the elector's lock, which the shutdown hook's release needs
        Thread.ofPlatform().name("leader-exit").start(() -> System.exit(1));
      }
    }
  }

  @Override
  public synchronized void close() {
    if (election != null) {
      election.cancel(true); // releases the lease, so a standby takes over at once
    }
    executor.shutdown();
  }

  /** The Lease lock, noting when each renewal by this replica started and succeeded. */
  private final class RenewalRecordingLock implements Lock {
    private final Lock delegate;

    RenewalRecordingLock(Lock delegate) {
      this.delegate = delegate;
    }

    @Override
    public LeaderElectionRecord get(KubernetesClient client) {
      roundStartNanos = System.nanoTime(); // every round reads the Lease first
      return delegate.get(client);
    }

    @Override
    public void create(KubernetesClient client, LeaderElectionRecord record) {
      long start = roundStartNanos;
      delegate.create(client, record);
      renewed(record, start);
    }

    @Override
    public void update(KubernetesClient client, LeaderElectionRecord record) {
      long start = roundStartNanos;
      delegate.update(client, record);
      renewed(record, start);
    }

    private void renewed(LeaderElectionRecord record, long start) {
      if (Objects.equals(record.getHolderIdentity(), settings.identity())) {
        renewedAtNanos = start;
      }
    }

    @Override
    public String identity() {
      return delegate.identity();
    }

    @Override
    public String describe() {
      return delegate.describe();
    }
  }
}
