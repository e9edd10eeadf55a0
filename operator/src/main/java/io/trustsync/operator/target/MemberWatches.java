package io.trustsync.operator.target;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.trustsync.crd.target.TrustDistributionTarget;
import io.trustsync.rendering.RenderedKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The drift watches: one JOSDK {@link InformerEventSource} per (member client, kind, namespace),
 * built with that member's client and shared by every target that writes there. A change to an
 * object TrustSync owns is mapped, by its distribution label, to the target that owns it, whose
 * reconcile then compares and corrects: drift handling is an ordinary target reconcile. The
 * informers' caches are also what a reconcile reads the live objects from, so observing a member
 * costs no request.
 */
final class MemberWatches {
  /** Which distribution (namespace/name) each distribution label value stands for; filled as targets reconcile. */
  private final Map<String, String> distributions = new ConcurrentHashMap<>();
  /** Event source name -> the targets using it. */
  private final Map<String, Set<String>> users = new ConcurrentHashMap<>();
  /** Target key -> the event sources it uses: a release looks at a target's few watches, not at the fleet's. */
  private final Map<String, Set<String>> byTarget = new ConcurrentHashMap<>();
  /** One lock per watch name: two targets of one member register it once, and other members never wait. */
  private final Map<String, Object> registering = new ConcurrentHashMap<>();
  /** Target key -> when a watch last reported a change of one of its objects (the start of drift latency). */
  private final Map<String, Instant> lastChange = new ConcurrentHashMap<>();

  void remember(String distributionLabel, String distributionNamespace, String distributionName) {
    distributions.put(distributionLabel, distributionNamespace + "/" + distributionName);
  }

  /** When a change of this target's objects was last seen, and forgets it. */
  Optional<Instant> takeLastChange(String targetKey) {
    return Optional.ofNullable(lastChange.remove(targetKey));
  }

  /**
   * The watch of {@code kind} in {@code namespace} of the member, registered (and started, which
   * lists the objects) on first use. {@code clientId} tells clients of one member apart: a rotated
   * kubeconfig gets new watches.
   */
  static String name(String member, String clientId, RenderedKind kind, String namespace) {
    return "member|" + member + "|" + clientId + "|" + kind.plural() + "|" + (kind.namespaced() ? namespace : "");
  }

  @SuppressWarnings("unchecked")
  InformerEventSource<GenericKubernetesResource, TrustDistributionTarget> watch(Context<TrustDistributionTarget> context, String member,
      String clientId, KubernetesClient client, RenderedKind kind, String namespace, String targetKey) {
    String name = name(member, clientId, kind, namespace);
    users.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(targetKey);
    byTarget.computeIfAbsent(targetKey, k -> ConcurrentHashMap.newKeySet()).add(name);
    synchronized (registering.computeIfAbsent(name, n -> new Object())) {
      return register(context, name, member, client, kind, namespace);
    }
  }

  @SuppressWarnings("unchecked")
  private InformerEventSource<GenericKubernetesResource, TrustDistributionTarget> register(Context<TrustDistributionTarget> context, String name,
      String member, KubernetesClient client, RenderedKind kind, String namespace) {
    var retriever = context.eventSourceRetriever();
    try {
      return (InformerEventSource<GenericKubernetesResource, TrustDistributionTarget>) retriever
          .getEventSourceFor(GenericKubernetesResource.class, name);
    } catch (RuntimeException absent) {
      // not registered yet
    }
    String memberNamespace = member.substring(0, member.indexOf('/'));
    String memberName = member.substring(member.indexOf('/') + 1);
    var configuration = InformerEventSourceConfiguration.from(new GroupVersionKind(kind.apiVersion(), kind.kind()), TrustDistributionTarget.class)
        .withName(name)
        .withKubernetesClient(client)
        .withLabelSelector(TargetNames.DISTRIBUTION_LABEL)
        .withSecondaryToPrimaryMapper(object -> {
          String distribution = distributions.get(label(object));
          if (distribution == null || !distribution.startsWith(memberNamespace + "/")) {
            return Set.of(); // not a distribution this member's namespace knows: someone else's label
          }
          String target = TargetNames.target(distribution.substring(distribution.indexOf('/') + 1), memberName);
          lastChange.putIfAbsent(memberNamespace + "/" + target, Instant.now());
          return Set.of(new ResourceID(target, memberNamespace));
        });
    if (kind.namespaced()) {
      configuration.withNamespaces(namespace);
    } else {
      configuration.withWatchAllNamespaces();
    }
    var source = new InformerEventSource<>(configuration.build(), retriever.eventSourceContextForDynamicRegistration());
    return (InformerEventSource<GenericKubernetesResource, TrustDistributionTarget>) retriever.dynamicallyRegisterEventSource(source);
  }

  /** The target no longer uses these watches (deleted, or moved to another namespace, kind or client). */
  void release(Context<TrustDistributionTarget> context, String targetKey, Set<String> keep) {
    Set<String> used = byTarget.getOrDefault(targetKey, Set.of());
    for (String name : List.copyOf(used)) {
      if (keep.contains(name)) {
        continue;
      }
      used.remove(name);
      Set<String> using = users.get(name);
      if (using != null && using.remove(targetKey) && using.isEmpty()) {
        users.remove(name);
        registering.remove(name);
        try {
          context.eventSourceRetriever().dynamicallyDeRegisterEventSource(name);
        } catch (RuntimeException e) {
          // already gone
        }
      }
    }
    if (used.isEmpty()) {
      byTarget.remove(targetKey);
    }
  }

  /** The names of the watches this target uses now. */
  Set<String> usedBy(String targetKey) {
    return Set.copyOf(byTarget.getOrDefault(targetKey, Set.of()));
  }

  /** Forget every watch (the reconcilers stopped: their event sources went with them). */
  void clear() {
    users.clear();
    byTarget.clear();
    registering.clear();
    lastChange.clear();
  }

  private static String label(GenericKubernetesResource object) {
    return object.getMetadata().getLabels() == null ? null : object.getMetadata().getLabels().get(TargetNames.DISTRIBUTION_LABEL);
  }
}
