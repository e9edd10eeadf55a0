package io.trustsync.cli;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.policysource.PolicySource;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** The two kinds the everyday commands act on, and what they read of them. */
final class Resources {
  private Resources() {}

  static Class<? extends HasMetadata> type(CommandLine commandLine, String kind) {
    return switch (kind) {
      case "source", "policysource" -> PolicySource.class;
      case "distribution", "trustdistribution" -> TrustDistribution.class;
      default -> throw new CommandLine.ParameterException(commandLine, "'" + kind + "' is not one of source, distribution");
    };
  }

  static String label(String kind) {
    return kind.contains("source") ? "PolicySource" : "TrustDistribution";
  }

  static String lastHandled(HasMetadata object) {
    return switch (object) {
      case PolicySource source -> source.getStatus() == null ? null : source.getStatus().lastHandledReconcileAt;
      case TrustDistribution distribution -> distribution.getStatus() == null ? null : distribution.getStatus().lastHandledReconcileAt;
      default -> null;
    };
  }

  /** Whether it is Ready, and a line saying what it has (the revision) or why not. */
  static Map.Entry<Boolean, String> ready(HasMetadata object) {
    List<Condition> conditions;
    String revision;
    switch (object) {
      case PolicySource source -> {
        conditions = source.getStatus() == null ? null : source.getStatus().conditions;
        revision = source.getStatus() == null ? null : source.getStatus().lastAcceptedRevision;
      }
      case TrustDistribution distribution -> {
        conditions = distribution.getStatus() == null ? null : distribution.getStatus().conditions;
        var status = distribution.getStatus();
        revision = status == null || status.revision == null ? null
            : status.revision + (status.syncedClusters == null ? "" : ", " + status.syncedClusters + " clusters synced");
      }
      default -> {
        conditions = null;
        revision = null;
      }
    }
    Condition ready = GetCommand.condition(conditions, "Ready");
    boolean isReady = ready != null && "True".equals(ready.getStatus());
    String what = object.getKind() + " " + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    if (isReady) {
      return Map.entry(true, what + " is Ready" + (revision == null ? "" : " at " + revision));
    }
    return Map.entry(false, what + " is not Ready" + (ready == null ? "" : ": " + ready.getReason() + " " + ready.getMessage()));
  }
}
