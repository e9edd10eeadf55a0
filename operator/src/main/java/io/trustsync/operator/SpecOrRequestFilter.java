package io.trustsync.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Reconcile on a spec change, a deletion, a finalizer or label change, or a new
 * {@code trustsync.io/reconcile-requested-at} annotation — not on our own status patches.
 * One class for every reconciler, as {@code @Informer(onUpdateFilter = ...)} needs a class.
 */
public final class SpecOrRequestFilter implements OnUpdateFilter<HasMetadata> {
  public static final String RECONCILE_REQUESTED_AT = io.trustsync.operator.shared.ReconcileRequest.ANNOTATION;

  @Override
  public boolean accept(HasMetadata before, HasMetadata after) {
    return !Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())
        || !Objects.equals(requested(before), requested(after))
        || !Objects.equals(before.getMetadata().getDeletionTimestamp(), after.getMetadata().getDeletionTimestamp())
        || !Objects.equals(before.getMetadata().getFinalizers(), after.getMetadata().getFinalizers())
        || !Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels());
  }

  private static String requested(HasMetadata resource) {
    return io.trustsync.operator.shared.ReconcileRequest.of(resource);
  }
}
