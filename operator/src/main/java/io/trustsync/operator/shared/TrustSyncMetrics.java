package io.trustsync.operator.shared;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import io.trustsync.validation.AcceptedEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every metric PRODUCT.md §4 names, in one place, Prometheus format. Gauges with label sets that
 * come and go (revisions, clusters, certificates) are backed by values held here, replaced when
 * the thing they describe changes.
 */
public final class TrustSyncMetrics {
  public static final String[] SYNC_STATES = {"Synced", "Drifted", "Applying", "Failed", "Unreachable", "Degraded"};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Tags>> revisionInfo = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Tags>> certificateTags = new ConcurrentHashMap<>();

  public MeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }

  public void reconcile(String controller, Duration duration) {
    Timer.builder("trustsync_reconcile_duration").description("Time one reconcile took")
        .tag("controller", controller).publishPercentileHistogram().register(registry).record(duration);
  }

  public void fetch(String source, Duration duration, boolean failed) {
    Timer.builder("trustsync_source_fetch_duration").description("Time one Git fetch took")
        .tag("source", source).register(registry).record(duration);
    if (failed) {
      Counter.builder("trustsync_source_fetch_failures").description("Git fetches that failed")
          .tag("source", source).register(registry).increment();
    }
  }

  /** trustsync_source_revision{source,revision,kind} = 1 for the fetched and the accepted revision. */
  public void revision(String source, String fetched, String accepted) {
    Map<String, Tags> now = new ConcurrentHashMap<>();
    if (fetched != null) {
      now.put("fetched", Tags.of("source", source, "revision", fetched, "kind", "fetched"));
    }
    if (accepted != null) {
      now.put("accepted", Tags.of("source", source, "revision", accepted, "kind", "accepted"));
    }
    replaceInfo(revisionInfo, source, now, "trustsync_source_revision", "Fetched and accepted revision of a policy source (value 1)");
  }

  public void findings(String source, long errors, long warnings) {
    gauge("trustsync_validation_findings", "Findings of the last validated revision", Tags.of("source", source, "severity", "error")).set(errors);
    gauge("trustsync_validation_findings", "Findings of the last validated revision", Tags.of("source", source, "severity", "warning")).set(warnings);
  }

  /** One rejected commit (counted once per commit and reason, not at every poll). */
  public void rejected(String source, String reason) {
    Counter.builder("trustsync_revisions_rejected").description("Fetched commits that were not accepted, by reason")
        .tags("source", source, "reason", reason).register(registry).increment();
  }

  /**
   * trustsync_source_stale (1 when the accepted commit is older than maxRevisionAge) and the
   * accepted commit's time; {@code stale} null removes both (maxRevisionAge unset).
   */
  public void stale(String source, Boolean stale, Instant commitTime) {
    if (stale == null) {
      registry.find("trustsync_source_stale").tag("source", source).meters().forEach(registry::remove);
      values.remove("trustsync_source_stale" + Tags.of("source", source));
      return;
    }
    gauge("trustsync_source_stale", "1 when the accepted commit is older than the source's maxRevisionAge",
        Tags.of("source", source)).set(stale ? 1 : 0);
    if (commitTime != null) {
      gauge("trustsync_source_accepted_commit_timestamp_seconds", "Commit time of the accepted revision, seconds since the epoch",
          Tags.of("source", source)).set(commitTime.getEpochSecond());
    }
  }

  /** Webhook requests by result: accepted, unauthorized, too_large, rejected (method, path, headers). */
  public void webhook(String result) {
    Counter.builder("trustsync_webhook_requests").description("Webhook requests by result")
        .tag("result", result).register(registry).increment();
  }

  /** Connections an HTTP server turned away because it was at its limit. */
  public void httpRejected(String server) {
    Counter.builder("trustsync_http_connections_rejected").description("Connections refused because the server was at its connection limit")
        .tag("server", server).register(registry).increment();
  }

  /** Removes every series of a deleted PolicySource. */
  public void forgetSource(String source) {
    registry.getMeters().stream().filter(m -> source.equals(m.getId().getTag("source"))).toList().forEach(m -> {
      registry.remove(m);
      values.remove(m.getId().getName() + Tags.of(m.getId().getTags()));
    });
    revisionInfo.remove(source);
    certificateTags.remove(source);
  }

  /** trustsync_cluster_sync_state{distribution,cluster,state}: 1 for the current state, 0 for the others. */
  public void syncState(String distribution, String cluster, String state) {
    for (String s : SYNC_STATES) {
      gauge("trustsync_cluster_sync_state", "Per-cluster sync state (1 = current)",
          Tags.of("distribution", distribution, "cluster", cluster, "state", s)).set(s.equals(state) ? 1 : 0);
    }
  }

  /**
   * trustsync_distribution_revisions{distribution}: how many revisions its clusters run;
   * trustsync_distribution_diverged_since_timestamp_seconds{distribution}: since when more than one
   * (0 while one); trustsync_rollout_halted{distribution}: 1 while its staged roll-out is halted.
   */
  public void divergence(String distribution, int revisions, Instant divergedSince, boolean halted) {
    Tags tags = Tags.of("distribution", distribution);
    gauge("trustsync_distribution_revisions", "How many revisions the distribution's clusters run", tags).set(revisions);
    gauge("trustsync_distribution_diverged_since_timestamp_seconds",
        "Since when the distribution's clusters have run more than one revision (0: they run one)", tags)
        .set(divergedSince == null ? 0 : divergedSince.getEpochSecond());
    gauge("trustsync_rollout_halted", "1 while the distribution's staged roll-out is halted", tags).set(halted ? 1 : 0);
  }

  /** A distribution is gone: its divergence and roll-out series go too (a deleted halted roll-out must not keep alerting). */
  public void forgetDistribution(String distribution) {
    for (String name : java.util.List.of("trustsync_distribution_revisions", "trustsync_distribution_diverged_since_timestamp_seconds",
        "trustsync_rollout_halted")) {
      Tags tags = Tags.of("distribution", distribution);
      registry.find(name).tags(tags).meters().forEach(registry::remove);
      values.remove(name + tags);
    }
  }

  /**
   * trustsync_enforcement_action{distribution,cluster,scope,action}: 1 for the enforcementAction
   * the scope's Constraint has in the cluster; trustsync_enforcement_violations: how many
   * violations Gatekeeper's latest audit of it reported (-1 before the first audit).
   */
  public void enforcement(String distribution, String cluster, String scope, String action, Long violations) {
    for (String a : java.util.List.of("warn", "deny", "dryrun")) {
      gauge("trustsync_enforcement_action", "The enforcementAction of a scope's Constraint in a cluster (1 = current)",
          Tags.of("distribution", distribution, "cluster", cluster, "scope", scope, "action", a)).set(a.equals(action) ? 1 : 0);
    }
    gauge("trustsync_enforcement_violations", "Violations in Gatekeeper's latest audit of a scope's Constraint (-1: not audited yet)",
        Tags.of("distribution", distribution, "cluster", cluster, "scope", scope)).set(violations == null ? -1 : violations);
  }

  /** Signer tags per (audit, repository) last exported, so a signer gone from a repository loses its series. */
  private final Map<String, java.util.Set<Tags>> auditSigners = new ConcurrentHashMap<>();

  /**
   * A SignerAudit's findings for one repository: trustsync_audit_images, _unsigned_images,
   * _failing_images, _unexpected_signers and, per verified signer, trustsync_audit_signer_images.
   */
  public void audit(String audit, String repository, int images, int unsigned, int failing, int unexpected, Map<String, Integer> bySigner) {
    Tags tags = Tags.of("audit", audit, "repository", repository);
    gauge("trustsync_audit_images", "Images (manifest digests) a signer audit found in the repository", tags).set(images);
    gauge("trustsync_audit_unsigned_images", "Images without a Notation signature", tags).set(unsigned);
    gauge("trustsync_audit_failing_images", "Images that fail the environment's trust policy", tags).set(failing);
    gauge("trustsync_audit_unexpected_signers", "Signatures by a signer expected-signers.yaml does not expect for the repository", tags)
        .set(unexpected);
    java.util.Set<Tags> now = new java.util.HashSet<>();
    bySigner.entrySet().stream().limit(20).forEach(e -> {
      Tags signer = tags.and("signer", e.getKey());
      now.add(signer);
      gauge("trustsync_audit_signer_images", "Images of the repository a verified signer signed", signer).set(e.getValue());
    });
    java.util.Set<Tags> before = auditSigners.put(audit + "|" + repository, now);
    if (before != null) {
      before.stream().filter(t -> !now.contains(t)).forEach(t -> {
        registry.find("trustsync_audit_signer_images").tags(t).meters().forEach(registry::remove);
        values.remove("trustsync_audit_signer_images" + t);
      });
    }
  }

  /** The repositories an audit has now: the series of those it no longer audits go. */
  private final Map<String, java.util.Set<String>> auditedRepositories = new ConcurrentHashMap<>();

  public void auditRepositories(String audit, java.util.List<String> repositories) {
    java.util.Set<String> now = java.util.Set.copyOf(repositories);
    java.util.Set<String> before = auditedRepositories.put(audit, now);
    if (before == null) {
      return;
    }
    for (String gone : before) {
      if (!now.contains(gone)) {
        registry.getMeters().stream().filter(m -> audit.equals(m.getId().getTag("audit")) && gone.equals(m.getId().getTag("repository")))
            .toList().forEach(m -> {
              registry.remove(m);
              values.remove(m.getId().getName() + Tags.of(m.getId().getTags()));
            });
        auditSigners.remove(audit + "|" + gone);
      }
    }
  }

  public void auditRun(String audit, Instant when) {
    gauge("trustsync_audit_last_run_timestamp_seconds", "When the signer audit last finished", Tags.of("audit", audit)).set(when.getEpochSecond());
  }

  public void driftedObjects(String distribution, String cluster, int count) {
    gauge("trustsync_drifted_objects", "Objects that differ from Git right now", Tags.of("distribution", distribution, "cluster", cluster)).set(count);
  }

  public void driftEvent(String distribution, String cluster, String change) {
    Counter.builder("trustsync_drift_events").description("Drift seen in member clusters")
        .tags("distribution", distribution, "cluster", cluster, "change", change).register(registry).increment();
  }

  public void driftLatency(String phase, Duration duration) {
    Timer.builder("trustsync_drift_" + phase + "_latency").description("From the change in the cluster to drift " + phase)
        .publishPercentileHistogram().register(registry).record(duration);
  }

  public void lastSync(String distribution, String cluster, Instant when) {
    gauge("trustsync_last_successful_sync_timestamp_seconds", "When the cluster was last fully in sync",
        Tags.of("distribution", distribution, "cluster", cluster)).set(when.getEpochSecond());
  }

  public void propagation(String distribution, Duration duration) {
    Timer.builder("trustsync_propagation_latency").description("From commit time to the revision being live in a cluster")
        .tag("distribution", distribution).publishPercentileHistogram().register(registry).record(duration);
  }

  /**
   * A cluster left a distribution: its series go, and the values behind its gauges too, so that
   * if it is selected again its gauges are registered again (not left pointing at removed meters).
   */
  public void forgetCluster(String distribution, String cluster) {
    registry.getMeters().stream()
        .filter(m -> distribution.equals(m.getId().getTag("distribution")) && cluster.equals(m.getId().getTag("cluster")))
        .toList()
        .forEach(meter -> {
          registry.remove(meter);
          values.remove(meter.getId().getName() + Tags.of(meter.getId().getTags()));
        });
  }

  /** trustsync_certificate_not_after_seconds for every certificate of every accepted environment. */
  public void certificates(String source, Map<String, AcceptedEnvironment> environments) {
    Map<String, Tags> now = new ConcurrentHashMap<>();
    Map<String, Long> notAfter = new ConcurrentHashMap<>();
    for (AcceptedEnvironment environment : environments.values()) {
      for (LoadedTrustStore store : environment.stores()) {
        for (TrustedCertificate certificate : store.certificates()) {
          String key = environment.name() + "|" + store.reference() + "|" + certificate.sha256Fingerprint();
          now.put(key, Tags.of("source", source, "environment", environment.name(), "store", store.reference(),
              "subject", certificate.subject(), "sha256", certificate.sha256Fingerprint()));
          notAfter.put(key, certificate.notAfter().getEpochSecond());
        }
      }
    }
    Map<String, Tags> before = certificateTags.put(source, now);
    if (before != null) {
      before.forEach((key, tags) -> {
        if (!now.containsKey(key)) {
          registry.find("trustsync_certificate_not_after_seconds").tags(tags).meters().forEach(registry::remove);
          values.remove("trustsync_certificate_not_after_seconds" + tags);
        }
      });
    }
    now.forEach((key, tags) -> gauge("trustsync_certificate_not_after_seconds",
        "notAfter of a trusted certificate, seconds since the epoch; alert when it is near", tags).set(notAfter.get(key)));
  }

  private void replaceInfo(Map<String, Map<String, Tags>> index, String owner, Map<String, Tags> now, String name, String help) {
    Map<String, Tags> before = index.put(owner, now);
    if (before != null) {
      before.values().stream().filter(t -> !now.containsValue(t)).forEach(t -> {
        registry.find(name).tags(t).meters().forEach(registry::remove);
        values.remove(name + t);
      });
    }
    now.values().forEach(t -> gauge(name, help, t).set(1));
  }

  private AtomicLong gauge(String name, String help, Tags tags) {
    return values.computeIfAbsent(name + tags, k -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, AtomicLong::doubleValue).description(help).tags(tags).register(registry);
      return value;
    });
  }
}
