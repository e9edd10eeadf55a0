package io.trustsync.operator.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.trustsync.rendering.RenderedObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one member cluster equal to one distribution's desired state: applies it with
 * server-side apply (field manager {@code trustsync}), prunes owned objects no longer desired,
 * and watches what it applied so drift is seen as soon as the API server reports it.
 *
 * <p>Everything runs on this cluster's own single thread, so a slow or dead cluster only ever
 * delays itself, and no state here needs a lock. Other threads read {@link #snapshot()}.
 */
public final class ClusterSync implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSync.class);
  public static final String FIELD_MANAGER = "trustsync";
  public static final String DISTRIBUTION_LABEL = "trustsync.io/distribution";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = Serialization.jsonMapper();
  private static final List<String> NATIVE_CRDS = List.of("truststores.trustsync.io", "trustpolicies.trustsync.io");

  /** Kinds any profile renders: pruning looks at all of them, so switching profile cleans up. */
  private static final List<Kind> KNOWN_KINDS = List.of(
      new Kind("trustsync.io/v1alpha1", "TrustStore", "truststores", true),
      new Kind("trustsync.io/v1alpha1", "TrustPolicy", "trustpolicies", true),
      new Kind("config.ratify.deislabs.io/v1beta1", "NamespacedKeyManagementProvider", "namespacedkeymanagementproviders", true),
      new Kind("config.ratify.deislabs.io/v1beta1", "NamespacedVerifier", "namespacedverifiers", true),
      new Kind("config.ratify.deislabs.io/v1beta1", "KeyManagementProvider", "keymanagementproviders", false),
      new Kind("config.ratify.deislabs.io/v1beta1", "Verifier", "verifiers", false),
      new Kind("config.ratify.sh/v2alpha1", "NamespacedExecutor", "namespacedexecutors", true),
      new Kind("config.ratify.sh/v2alpha1", "Executor", "executors", false));

  public enum State { Applying, Synced, Drifted, Failed, Unreachable }

  public record Drift(String object, String change, List<String> fields, Instant detectedAt) {}

  /** {@code namespace} is where the objects were last applied (what a namespace change cleans up). */
  public record Snapshot(String cluster, State state, String appliedRevision, Instant lastSyncTime, String message, List<Drift> drift,
      String namespace) {}

  /** Told about drift as it happens: events, metrics, and benchmarks hook in here. */
  public interface Observer {
    void stateChanged(String cluster, Snapshot snapshot);

    void driftDetected(String cluster, Drift drift, boolean willCorrect);

    void driftCorrected(String cluster, Drift drift, Duration sinceDetected);

    void applied(String cluster, String revision, Instant commitTime);
  }

  /** A kind described fully, so no API discovery is needed (and a missing CRD is a plain 404). */
  public record Kind(String apiVersion, String kind, String plural, boolean namespaced) {
    public io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext context() {
      int slash = apiVersion.indexOf('/');
      return new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
          .withGroup(apiVersion.substring(0, slash))
          .withVersion(apiVersion.substring(slash + 1))
          .withKind(kind)
          .withPlural(plural)
          .withNamespaced(namespaced)
          .build();
    }

    public static Kind of(String apiVersion, String kind) {
      return KNOWN_KINDS.stream().filter(k -> k.apiVersion().equals(apiVersion) && k.kind().equals(kind)).findFirst()
          .orElseThrow(() -> new IllegalStateException("TrustSync does not render " + apiVersion + " " + kind));
    }
  }

  private final String cluster;
  private final String labelValue;
  private final KubernetesClient client;
  private final Observer observer;
  private final ScheduledExecutorService loop;

  // Confined to the loop thread.
  private DesiredState desired;
  private DesiredState applied;
  private final Map<String, RenderedObject> desiredById = new HashMap<>();
  private final Map<String, JsonNode> appliedById = new HashMap<>();
  private final Map<String, Drift> drift = new LinkedHashMap<>();
  private final Map<Kind, SharedIndexInformer<GenericKubernetesResource>> informers = new HashMap<>();
  private String watchedNamespace;
  /** Where this distribution's objects are in the cluster: known from status after a restart. */
  private volatile String appliedNamespace;
  private boolean crdsInstalled;
  private int failures;
  private ScheduledFuture<?> retry;
  private State state = State.Applying;
  private String message = "waiting for the first apply";
  private Instant lastSyncTime;

  private volatile Snapshot snapshot;

  public ClusterSync(String cluster, String labelValue, KubernetesClient client, Observer observer) {
    this(cluster, labelValue, client, observer, null);
  }

  /** {@code previousNamespace}: where an earlier run applied this distribution's objects, if known. */
  public ClusterSync(String cluster, String labelValue, KubernetesClient client, Observer observer, String previousNamespace) {
    this.cluster = cluster;
    this.labelValue = labelValue;
    this.client = client;
    this.observer = observer;
    this.appliedNamespace = previousNamespace;
    this.loop = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sync-" + cluster).factory());
    this.snapshot = new Snapshot(cluster, state, null, null, message, List.of(), previousNamespace);
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  public KubernetesClient client() {
    return client;
  }

  /**
   * Hands over a desired state. An unchanged one is ignored (failures are retried on their own
   * schedule); {@code force} re-runs the sync now, e.g. when the member was seen reachable again.
   */
  public void update(DesiredState next, boolean force) {
    if (loop.isShutdown()) {
      return;
    }
    loop.execute(() -> {
      if (next.sameAs(desired) && !force) {
        return;
      }
      desired = next;
      desiredById.clear();
      next.objects().forEach(o -> desiredById.put(o.id(), o));
      if (next.sameAs(applied) && state == State.Synced) {
        return;
      }
      sync();
    });
  }

  private void sync() {
    cancelRetry();
    DesiredState d = desired;
    if (d == null) {
      return;
    }
    if (d.suspend()) {
      ensureWatchers(d);
      publish(drift.isEmpty() ? state : State.Drifted, "suspended: nothing is applied or corrected");
      return;
    }
    boolean newRevision = applied == null || !Objects.equals(applied.revision(), d.revision());
    if (newRevision || state != State.Synced) {
      publish(State.Applying, "applying revision " + shortRevision(d.revision()));
    }
    try {
      prepareCluster(d);
      Map<String, JsonNode> results = new HashMap<>();
      for (RenderedObject object : d.objects()) {
        results.put(object.id(), apply(object));
      }
      if (d.prune()) {
        prune(d);
      }
      if (appliedNamespace != null && !appliedNamespace.equals(d.namespace())) {
        // the target namespace changed: what was applied in the old one is no longer desired anywhere
        deleteOwnedIn(appliedNamespace);
        LOG.info("cluster {}: removed objects left in former namespace {}", cluster, appliedNamespace);
      }
      appliedNamespace = d.namespace();
      appliedById.clear();
      appliedById.putAll(results);
      applied = d;
      ensureWatchers(d);
      drift.clear();
      failures = 0;
      lastSyncTime = Instant.now();
      publish(State.Synced, "revision " + shortRevision(d.revision()) + " applied (" + d.objects().size() + " objects)");
      if (newRevision) {
        observer.applied(cluster, d.revision(), d.commitTime());
      }
    } catch (RuntimeException e) {
      if (fenced(e)) {
        // not (surely) the leader: write nothing, report nothing; stopAll follows if the lease is lost
        LOG.info("cluster {}: write fenced: {}", cluster, describe(e));
        retry = loop.schedule(this::sync, 2, TimeUnit.SECONDS);
        return;
      }
      failures++;
      boolean unreachable = unreachable(e);
      publish(unreachable ? State.Unreachable : State.Failed, describe(e));
      Duration backoff = Duration.ofMillis(Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(failures - 1, 6)));
      LOG.debug("cluster {}: {}; retrying in {}", cluster, describe(e), backoff);
      retry = loop.schedule(this::sync, backoff.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void prepareCluster(DesiredState d) {
    if (d.installNativeCrds() && !crdsInstalled) {
      for (String name : NATIVE_CRDS) {
        var crds = client.apiextensions().v1().customResourceDefinitions();
        if (crds.withName(name).get() == null) {
          crds.resource(io.trustsync.operator.BundledCrds.load(name)).create();
          crds.withName(name).waitUntilCondition(io.trustsync.operator.BundledCrds::established, 20, TimeUnit.SECONDS);
          LOG.info("cluster {}: installed CRD {}", cluster, name);
        }
      }
      crdsInstalled = true;
    }
    if (d.namespace() != null && client.namespaces().withName(d.namespace()).get() == null) {
      try {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(d.namespace()).endMetadata().build()).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }

  private JsonNode apply(RenderedObject object) {
    GenericKubernetesResource resource = JSON.convertValue(object.manifest(), GenericKubernetesResource.class);
    GenericKubernetesResource result = operation(Kind.of(object.apiVersion(), object.kind()), object.namespace())
        .resource(resource).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    return JSON.valueToTree(result);
  }

  private void prune(DesiredState d) {
    for (Kind kind : KNOWN_KINDS) {
      List<GenericKubernetesResource> owned;
      try {
        owned = operation(kind, d.namespace()).withLabel(DISTRIBUTION_LABEL, labelValue).list().getItems();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          continue; // that kind's CRD is not installed here: nothing of it to prune
        }
        throw e;
      }
      for (GenericKubernetesResource live : owned) {
        if (!desiredById.containsKey(id(live))) {
          operation(kind, live.getMetadata().getNamespace()).withName(live.getMetadata().getName()).delete();
          LOG.info("cluster {}: pruned {}", cluster, id(live));
        }
      }
    }
  }

  private NonNamespaceOperation<GenericKubernetesResource, io.fabric8.kubernetes.api.model.GenericKubernetesResourceList, Resource<GenericKubernetesResource>> operation(Kind kind, String namespace) {
    var resources = client.genericKubernetesResources(kind.context());
    return kind.namespaced() && namespace != null ? resources.inNamespace(namespace) : resources;
  }

  /** Watches the kinds of the desired objects, label-selected to this distribution. */
  private void ensureWatchers(DesiredState d) {
    List<Kind> kinds = d.objects().stream().map(o -> Kind.of(o.apiVersion(), o.kind())).distinct().toList();
    if (!Objects.equals(watchedNamespace, d.namespace())) {
      stopWatchers();
      watchedNamespace = d.namespace();
    }
    informers.keySet().removeIf(kind -> {
      if (!kinds.contains(kind)) {
        informers.get(kind).stop();
        return true;
      }
      return false;
    });
    for (Kind kind : kinds) {
      informers.computeIfAbsent(kind, k -> {
        SharedIndexInformer<GenericKubernetesResource> informer =
            operation(k, d.namespace()).withLabel(DISTRIBUTION_LABEL, labelValue).runnableInformer(0);
        informer.exceptionHandler((started, t) -> true); // keep watching through outages
        informer.addEventHandler(new ResourceEventHandler<>() {
          @Override
          public void onAdd(GenericKubernetesResource live) {
            Instant seen = Instant.now();
            enqueue(() -> observe(live, false, seen));
          }

          @Override
          public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource live) {
            Instant seen = Instant.now();
            enqueue(() -> observe(live, false, seen));
          }

          @Override
          public void onDelete(GenericKubernetesResource live, boolean finalStateUnknown) {
            Instant seen = Instant.now();
            enqueue(() -> observe(live, true, seen));
          }
        });
        informer.start();
        return informer;
      });
    }
  }

  /** One event from a member cluster: compare with what was applied, report, and maybe correct. */
  private void observe(GenericKubernetesResource live, boolean deleted, Instant seen) {
    if (applied == null || desired == null || state == State.Applying) {
      return;
    }
    String id = id(live);
    RenderedObject want = desiredById.get(id);
    boolean correct = desired.correctDrift() && !desired.suspend();
    Drift found;
    if (want == null) {
      if (deleted) {
        clearDrift(id);
        return;
      }
      found = new Drift(id, "Extra", List.of(), seen);
    } else if (deleted) {
      found = new Drift(id, "Deleted", List.of("/"), seen);
    } else {
      JsonNode base = appliedById.get(id);
      if (base != null && olderThan(live, base)) {
        return; // an event from before our own apply
      }
      List<String> fields = Differences.between(want.manifest(), base, JSON.valueToTree(live));
      if (fields.isEmpty()) {
        clearDrift(id);
        return;
      }
      found = new Drift(id, "Modified", fields, seen);
    }
    Drift previous = drift.put(id, found);
    if (previous == null || !previous.fields().equals(found.fields()) || !previous.change().equals(found.change())) {
      observer.driftDetected(cluster, found, correct);
    }
    if (!correct) {
      publish(State.Drifted, drift.size() + " object(s) differ from Git; drift mode is report");
      return;
    }
    publish(State.Drifted, "correcting " + found.change().toLowerCase() + " " + id);
    try {
      if (want == null) {
        operation(Kind.of(live.getApiVersion(), live.getKind()), live.getMetadata().getNamespace())
            .withName(live.getMetadata().getName()).delete();
      } else {
        appliedById.put(id, apply(want));
      }
      drift.remove(id);
      observer.driftCorrected(cluster, found, Duration.between(found.detectedAt(), Instant.now()));
      lastSyncTime = Instant.now();
      publish(drift.isEmpty() ? State.Synced : State.Drifted,
          "corrected " + found.change().toLowerCase() + " " + id);
    } catch (RuntimeException e) {
      if (fenced(e)) {
        LOG.info("cluster {}: correction of {} fenced: {}", cluster, id, describe(e));
        return;
      }
      publish(unreachable(e) ? State.Unreachable : State.Failed, "could not correct " + id + ": " + describe(e));
      retry = loop.schedule(this::sync, 1, TimeUnit.SECONDS);
    }
  }

  private void clearDrift(String id) {
    if (drift.remove(id) != null) {
      publish(drift.isEmpty() ? State.Synced : State.Drifted, drift.isEmpty() ? "in sync again" : drift.size() + " object(s) differ from Git");
    }
  }

  private void publish(State next, String why) {
    state = next;
    message = why;
    Snapshot now = new Snapshot(cluster, next, applied == null ? null : applied.revision(), lastSyncTime, why, List.copyOf(drift.values()),
        appliedNamespace);
    Snapshot before = snapshot;
    snapshot = now;
    if (before.state() != now.state() || !Objects.equals(before.appliedRevision(), now.appliedRevision())
        || !before.drift().equals(now.drift()) || !Objects.equals(before.message(), now.message())) {
      observer.stateChanged(cluster, now);
    }
  }

  private static boolean olderThan(GenericKubernetesResource live, JsonNode applied) {
    try {
      long liveVersion = Long.parseLong(live.getMetadata().getResourceVersion());
      long appliedVersion = Long.parseLong(applied.path("metadata").path("resourceVersion").asText());
      return liveVersion < appliedVersion;
    } catch (NumberFormatException e) {
      return false; // resource versions are opaque; when not numbers, compare content only
    }
  }

  static String id(GenericKubernetesResource resource) {
    String namespace = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    return namespace == null ? resource.getKind() + "/" + name : resource.getKind() + "/" + namespace + "/" + name;
  }

  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException || t instanceof HttpTimeoutException
          || t instanceof java.nio.channels.ClosedChannelException || t instanceof java.io.EOFException) {
        return true;
      }
      if (t instanceof IOException && String.valueOf(t.getMessage()).toLowerCase().contains("connect")) {
        return true;
      }
    }
    return false;
  }

  static boolean fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.trustsync.operator.leader.Fence.FencedException) {
        return true;
      }
    }
    return false;
  }

  /**
   * What went wrong, for status and events. Only a real API server's Status message is quoted:
   * a kubeconfig may point at any HTTPS endpoint, and its answers must not surface in status.
   */
  public static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.trustsync.operator.leader.Fence.FencedException fenced) {
        return fenced.getMessage();
      }
    }
    if (unreachable(e)) {
      return "API server unreachable: " + rootMessage(e);
    }
    if (e instanceof KubernetesClientException k) {
      String hint = k.getCode() == 404 ? " (is the CRD for this profile installed in the cluster?)"
          : k.getCode() == 403 ? " (the member credentials lack permission: apply manifests/member/ in the cluster and use its ServiceAccount)" : "";
      // fabric8 makes a Status of any JSON body (and of none, flagged as its own): only a real
      // API server's Failure status, with a reason, is worth quoting
      var status = k.getStatus();
      if (status != null && "Failure".equals(status.getStatus()) && status.getReason() != null && status.getMessage() != null
          && !status.getAdditionalProperties().containsKey("CLIENT_STATUS_FLAG")) {
        return k.getStatus().getMessage() + hint;
      }
      return k.getCode() > 0 ? "the server answered HTTP " + k.getCode() + hint
          : "request failed (" + rootCause(e).getClass().getSimpleName() + ")";
    }
    return "request failed (" + rootCause(e).getClass().getSimpleName() + ")";
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  private static String shortRevision(String revision) {
    return revision != null && revision.length() > 12 ? revision.substring(0, 12) : String.valueOf(revision);
  }

  private void enqueue(Runnable task) {
    if (!loop.isShutdown()) {
      loop.execute(task);
    }
  }

  private void cancelRetry() {
    if (retry != null) {
      retry.cancel(false);
      retry = null;
    }
  }

  private void stopWatchers() {
    informers.values().forEach(SharedIndexInformer::stop);
    informers.clear();
  }

  /**
   * Deletes every object this distribution owns in the cluster (distribution deleted or cluster
   * deselected, with prune), in the namespace it applied to and in {@code namespace}.
   */
  public void deleteOwned(String namespace) {
    enqueue(() -> {
      stopWatchers();
      try {
        deleteOwnedIn(namespace);
        if (appliedNamespace != null && !appliedNamespace.equals(namespace)) {
          deleteOwnedIn(appliedNamespace);
        }
      } catch (RuntimeException e) {
        LOG.warn("cluster {}: could not delete the objects of {}: {}", cluster, labelValue, describe(e));
      }
    });
  }

  /** Deletes what this distribution owns in the namespace; only a kind the cluster lacks (404) counts as nothing to delete. */
  private void deleteOwnedIn(String namespace) {
    for (Kind kind : KNOWN_KINDS) {
      try {
        operation(kind, namespace).withLabel(DISTRIBUTION_LABEL, labelValue).delete();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
  }

  @Override
  public void close() {
    enqueue(this::stopWatchers);
    loop.shutdown();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
