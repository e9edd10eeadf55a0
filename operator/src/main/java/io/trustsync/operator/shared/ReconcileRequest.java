package io.trustsync.operator.shared;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * The {@code trustsync.io/reconcile-requested-at} annotation: a new value asks for a reconcile now
 * (`trustsync reconcile`, or kubectl annotate), and status.lastHandledReconcileAt echoes the value
 * once the request has been handled.
 */
public final class ReconcileRequest {
  public static final String ANNOTATION = "trustsync.io/reconcile-requested-at";

  private ReconcileRequest() {}

  /** The annotation's value, or null. */
  public static String of(HasMetadata resource) {
    var annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(ANNOTATION);
  }
}
