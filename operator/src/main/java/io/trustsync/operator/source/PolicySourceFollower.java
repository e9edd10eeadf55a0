package io.trustsync.operator.source;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceStatus;
import io.trustsync.operator.shared.GoDuration;
import io.trustsync.operator.shared.SecretCache;
import io.trustsync.source.GitFetcher;
import io.trustsync.source.GitSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a shard replica runs instead of {@link PolicySourceReconciler}: it never fetches a branch
 * and never writes a PolicySource. It follows the revision the coordinator accepted, as recorded
 * in status, and loads exactly that commit through the {@link RevisionLoader} (signature,
 * ancestry, validation and digest checked again here), so a shard serves nothing the
 * coordinator did not accept and nothing that differs from what it accepted.
 */
@ControllerConfiguration(name = "policysource-follower", generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = PolicySourceFollower.AcceptedChanged.class))
public final class PolicySourceFollower implements Reconciler<PolicySource> {
  private static final Logger LOG = LoggerFactory.getLogger(PolicySourceFollower.class);
  private static final Duration RETRY = Duration.ofSeconds(30);

  /** Reconcile when the accepted revision in status changes, or the spec (credentials, keys) does. */
  public static final class AcceptedChanged implements OnUpdateFilter<PolicySource> {
    @Override
    public boolean accept(PolicySource before, PolicySource after) {
      return !Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())
          || !Objects.equals(accepted(before), accepted(after));
    }

    private static List<String> accepted(PolicySource source) {
      PolicySourceStatus status = source.getStatus();
      return status == null ? List.of() : java.util.Arrays.asList(status.lastAcceptedRevision, status.lastAcceptedDigest,
          status.highWaterMark == null ? null : status.highWaterMark.revision);
    }
  }

  private final SecretCache secrets;
  private final GitFetcher fetcher;
  private final RevisionLoader loader;
  private final FetchQueue queue;
  private final AcceptedRevisions accepted;
  /** Why the last load of a source failed, by source key: logged once per problem. */
  private final Map<String, String> problems = new ConcurrentHashMap<>();

  public PolicySourceFollower(SecretCache secrets, GitFetcher fetcher, FetchQueue.Settings fetching, AcceptedRevisions accepted,
      Duration expiryWindow) {
    this.secrets = secrets;
    this.fetcher = fetcher;
    this.loader = new RevisionLoader(fetcher, expiryWindow);
    this.accepted = accepted;
    // a finished load needs no reconcile of its own: serving it wakes the targets, a failure waits for the retry
    this.queue = fetching.queue(key -> {});
  }

  @Override
  public UpdateControl<PolicySource> reconcile(PolicySource source, Context<PolicySource> context) {
    String key = PolicySourceReconciler.key(source);
    PolicySourceStatus status = source.getStatus();
    if (status == null || status.lastAcceptedRevision == null) {
      return UpdateControl.noUpdate(); // nothing accepted yet: nothing to serve
    }
    AcceptedRevision current = accepted.get(key).orElse(null);
    if (current != null && current.revision().equals(status.lastAcceptedRevision)
        && (status.lastAcceptedDigest == null || status.lastAcceptedDigest.equals(current.digest()))) {
      return UpdateControl.noUpdate();
    }
    GitSource git;
    Duration timeout;
    try {
      git = SourceCredentials.describe(source, secrets);
      timeout = GoDuration.parse(source.getSpec().timeout, fetcher.rules().defaultTimeout());
    } catch (SourceCredentials.InvalidSourceException | IllegalArgumentException e) {
      report(key, e.getMessage());
      return UpdateControl.<PolicySource>noUpdate().rescheduleAfter(RETRY);
    }
    RevisionLoader.Expected expected = new RevisionLoader.Expected(status.lastAcceptedRevision, status.lastAcceptedDigest,
        status.highWaterMark == null ? status.lastAcceptedRevision : status.highWaterMark.revision,
        source.getSpec().rollbackTo, source.getSpec().verify != null);
    String cacheKey = PolicySourceReconciler.cacheKey(source);
    queue.submit(source.getMetadata().getNamespace(), key, () -> {
      RevisionLoader.Loaded loaded = loader.load(key, cacheKey, git, timeout, expected);
      if (loaded.revision() != null) {
        accepted.accept(loaded.revision());
        loader.loadBefore(key, cacheKey, git, timeout, status.previousAcceptedRevisions, expected.highWaterMark(), expected.verify(), accepted)
            .forEach(problem -> LOG.warn("{}: {}", key, problem));
        problems.remove(key);
        LOG.info("{}: serving {} as accepted by the coordinator", key, PolicySourceReconciler.shortRev(loaded.revision().revision()));
      } else {
        report(key, loaded.problem());
      }
    });
    // the next reconcile finds it served, or tries again
    return UpdateControl.<PolicySource>noUpdate().rescheduleAfter(RETRY);
  }

  private void report(String key, String problem) {
    if (!problem.equals(problems.put(key, problem))) {
      LOG.warn("{}: {}", key, problem);
    }
  }

  public void close() {
    queue.close();
  }

  public void awaitLoads(Duration limit) {
    try {
      queue.awaitIdle(limit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
