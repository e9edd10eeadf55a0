package io.trustsync.operator.member;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.trustsync.operator.leader.Fence;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;

/** What went wrong talking to a member cluster, for status and events. */
public final class MemberErrors {
  private MemberErrors() {}

  public static boolean fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Fence.FencedException) {
        return true;
      }
    }
    return false;
  }

  public static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException || t instanceof HttpTimeoutException
          || t instanceof java.nio.channels.ClosedChannelException || t instanceof java.io.EOFException
          || t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
      if (t instanceof IOException && String.valueOf(t.getMessage()).toLowerCase().contains("connect")) {
        return true;
      }
    }
    return false;
  }

  /** The HTTP status of the first Kubernetes client error in the chain, or 0. */
  public static int httpCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        return k.getCode();
      }
    }
    return 0;
  }

  /**
   * A short description. Only a real API server's Status message is quoted: a kubeconfig may
   * point at any HTTPS endpoint, and its answers must not surface in status.
   */
  public static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Fence.FencedException fenced) {
        return fenced.getMessage();
      }
    }
    if (unreachable(e)) {
      return "API server unreachable: " + localMessage(e);
    }
    if (e instanceof KubernetesClientException k) {
      String hint = k.getCode() == 404 ? " (is the CRD for this profile installed in the cluster?)"
          : k.getCode() == 403 ? " (the member credentials lack permission: apply manifests/member/ in the cluster and use its ServiceAccount)" : "";
      // fabric8 makes a Status of any JSON body (and of none, flagged as its own): only a real
      // API server's Failure status, with a reason, is worth quoting
      var status = k.getStatus();
      if (status != null && "Failure".equals(status.getStatus()) && status.getReason() != null && status.getMessage() != null
          && !status.getAdditionalProperties().containsKey("CLIENT_STATUS_FLAG")) {
        return status.getMessage() + hint;
      }
      return k.getCode() > 0 ? "the server answered HTTP " + k.getCode() + hint
          : "request failed (" + root(e).getClass().getSimpleName() + ")";
    }
    return "request failed (" + root(e).getClass().getSimpleName() + ")";
  }

  /** The message of the innermost cause: a local error (connection refused), never what a server sent. */
  private static String localMessage(Throwable e) {
    Throwable t = root(e);
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  private static Throwable root(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
