package io.trustsync.operator.member;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.trustsync.crd.membercluster.MemberCluster;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The registered member clusters, from an informer on the hub, and cluster selection by label.
 * Listeners hear the namespace of any MemberCluster that was added, changed or removed.
 */
public final class MemberDirectory implements AutoCloseable {
  private final SharedIndexInformer<MemberCluster> informer;
  private final List<Consumer<MemberCluster>> listeners = new CopyOnWriteArrayList<>();

  public MemberDirectory(KubernetesClient hub, String namespace) {
    var resources = hub.resources(MemberCluster.class);
    informer = (namespace == null ? resources.inAnyNamespace() : resources.inNamespace(namespace)).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(MemberCluster cluster) {
        changed(cluster);
      }

      @Override
      public void onUpdate(MemberCluster before, MemberCluster after) {
        changed(after);
      }

      @Override
      public void onDelete(MemberCluster cluster, boolean unknown) {
        changed(cluster);
      }
    });
  }

  public void start() {
    informer.start().toCompletableFuture().join();
  }

  /** Hears every MemberCluster that was added, changed or removed. */
  public void onChange(Consumer<MemberCluster> listener) {
    listeners.add(listener);
  }

  private void changed(MemberCluster cluster) {
    listeners.forEach(l -> l.accept(cluster));
  }

  /** The MemberCluster, from the informer's cache. */
  public java.util.Optional<MemberCluster> get(String namespace, String name) {
    return java.util.Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name));
  }

  /** MemberClusters of the namespace whose labels match, sorted by name. */
  public List<MemberCluster> select(String namespace, LabelSelector selector) {
    return informer.getStore().list().stream()
        .filter(c -> Objects.equals(c.getMetadata().getNamespace(), namespace))
        .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
        .filter(c -> matches(selector, c.getMetadata().getLabels() == null ? Map.of() : c.getMetadata().getLabels()))
        .sorted(Comparator.comparing(c -> c.getMetadata().getName()))
        .toList();
  }

  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    if (selector.getMatchLabels() != null) {
      for (var entry : selector.getMatchLabels().entrySet()) {
        if (!entry.getValue().equals(labels.get(entry.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        boolean ok = switch (requirement.getOperator()) {
          case "In" -> value != null && values.contains(value);
          case "NotIn" -> value == null || !values.contains(value);
          case "Exists" -> labels.containsKey(requirement.getKey());
          case "DoesNotExist" -> !labels.containsKey(requirement.getKey());
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public void close() {
    informer.stop();
  }
}
