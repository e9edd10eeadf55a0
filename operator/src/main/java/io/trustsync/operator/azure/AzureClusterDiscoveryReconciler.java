package io.trustsync.operator.azure;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.trustsync.crd.azure.AzureClusterDiscovery;
import io.trustsync.crd.azure.AzureClusterDiscoverySpec;
import io.trustsync.crd.azure.AzureClusterDiscoveryStatus;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterSpec;
import io.trustsync.operator.shared.EventRecorder;
import io.trustsync.operator.shared.GoDuration;
import io.trustsync.operator.shared.Tenancy;
import io.trustsync.status.Conditions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Keeps one MemberCluster per AKS cluster an {@link AzureClusterDiscovery} finds: lists the
 * subscriptions' managed clusters on an interval, registers those that match its tags and have
 * provisioned, labels them from their region, tags and version, and removes (or marks) those
 * that are gone. A failed or partial listing changes nothing: no member is ever removed because
 * Azure could not be asked.
 */
@ControllerConfiguration(name = "azureclusterdiscovery")
public final class AzureClusterDiscoveryReconciler implements Reconciler<AzureClusterDiscovery> {
  public static final String DISCOVERY_LABEL = "trustsync.io/discovery";
  public static final String VERSION_LABEL = "trustsync.io/kubernetes-version";
  public static final String REGION_LABEL = "region";
  public static final String LOST_ANNOTATION = "trustsync.io/discovery-lost";
  static final String FIELD_MANAGER = "trustsync-discovery";
  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
  private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?");
  private static final Pattern LABEL_KEY = Pattern.compile("([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?" + LABEL_NAME.pattern());
  private static final Set<String> OWN_LABELS = Set.of(REGION_LABEL, DISCOVERY_LABEL, VERSION_LABEL);

  private final KubernetesClient hub;
  private final AzureClusters azure;
  private final Tenancy tenancy;
  private final EventRecorder events;

  public AzureClusterDiscoveryReconciler(KubernetesClient hub, AzureClusters azure, Tenancy tenancy, EventRecorder events) {
    this.hub = hub;
    this.azure = azure;
    this.tenancy = tenancy;
    this.events = events;
  }

  @Override
  public UpdateControl<AzureClusterDiscovery> reconcile(AzureClusterDiscovery discovery, Context<AzureClusterDiscovery> context) {
    AzureClusterDiscoverySpec spec = discovery.getSpec() == null ? new AzureClusterDiscoverySpec() : discovery.getSpec();
    AzureClusterDiscoveryStatus previous = discovery.getStatus() == null ? new AzureClusterDiscoveryStatus() : discovery.getStatus();
    AzureClusterDiscoveryStatus status = new AzureClusterDiscoveryStatus();
    status.observedGeneration = discovery.getMetadata().getGeneration();
    status.lastSyncTime = previous.lastSyncTime;
    status.clusters = previous.clusters;
    status.skipped = previous.skipped;
    status.registered = previous.registered;
    status.skippedCount = previous.skippedCount;
    status.unmatched = previous.unmatched;
    String namespace = discovery.getMetadata().getNamespace();
    Duration interval;
    String refusal = null;
    try {
      interval = GoDuration.parse(spec.interval, DEFAULT_INTERVAL);
      if (interval.compareTo(MIN_INTERVAL) < 0) {
        interval = MIN_INTERVAL;
      }
    } catch (IllegalArgumentException e) {
      interval = DEFAULT_INTERVAL;
      refusal = "spec.interval: " + e.getMessage();
    }
    if (!tenancy.isPlatform(namespace)) {
      refusal = "AzureClusterDiscovery acts with the operator's Azure identity, so it is honoured only in the platform namespaces "
          + tenancy.platformNamespaces().stream().sorted().toList() + "; namespace " + namespace + " is a tenant's";
    } else if (spec.subscriptions == null || spec.subscriptions.isEmpty()) {
      refusal = "spec.subscriptions is empty: name at least one subscription ID";
    } else if (spec.memberLabels != null && spec.memberLabels.entrySet().stream().anyMatch(l -> !LABEL_KEY.matcher(l.getKey()).matches()
        || l.getValue() == null || !LABEL_VALUE.matcher(l.getValue()).matches())) {
      refusal = "spec.memberLabels holds a key or value that is not a valid Kubernetes label: " + spec.memberLabels.entrySet().stream()
          .filter(l -> !LABEL_KEY.matcher(l.getKey()).matches() || l.getValue() == null || !LABEL_VALUE.matcher(l.getValue()).matches())
          .map(Map.Entry::getKey).sorted().toList();
    } else if (spec.onClusterRemoved != null && !Set.of("Delete", "Keep").contains(spec.onClusterRemoved)) {
      refusal = "spec.onClusterRemoved must be Delete or Keep, not '" + spec.onClusterRemoved + "'";
    }
    if (refusal != null) {
      return finish(discovery, previous, status, false, "InvalidSpec", refusal, interval);
    }

    List<AzureClusters.ManagedCluster> found = new ArrayList<>();
    try {
      for (String subscription : spec.subscriptions) {
        found.addAll(azure.list(subscription, spec.resourceGroups == null ? List.of() : spec.resourceGroups));
      }
    } catch (AzureClusters.AzureException e) {
      // nothing changes on a failed listing: the members stay as they are until Azure answers again
      String reason = e.authentication() ? "AzureAuthenticationFailed" : "AzureListFailed";
      if (!Objects.equals(conditionReason(previous), reason)) {
        events.warning(discovery, reason, e.getMessage());
      }
      return finish(discovery, previous, status, false, reason, e.getMessage() + "; MemberClusters are left as they are", interval);
    }

    Map<String, MemberCluster> existing = new LinkedHashMap<>();
    for (MemberCluster member : hub.resources(MemberCluster.class).inNamespace(namespace)
        .withLabel(DISCOVERY_LABEL, discovery.getMetadata().getName()).list().getItems()) {
      existing.put(member.getMetadata().getName(), member);
    }
    status.clusters = new ArrayList<>();
    status.skipped = new ArrayList<>();
    int unmatched = 0;
    Set<String> keep = new java.util.HashSet<>();
    for (AzureClusters.ManagedCluster cluster : found) {
      if (!tagsMatch(spec.tags, cluster.tags())) {
        unmatched++;
        continue;
      }
      String name = memberName(cluster);
      if (!"Succeeded".equalsIgnoreCase(cluster.provisioningState())) {
        boolean registered = existing.containsKey(name);
        if (registered) {
          keep.add(name); // an upgrade in progress is no reason to stop syncing a cluster
        }
        status.skipped.add(skipped(cluster, "provisioningState is " + cluster.provisioningState()
            + (registered ? "; its MemberCluster " + name + " is kept as it is" : "; registered once it is Succeeded")));
        continue;
      }
      if (!cluster.entraIntegration()) {
        status.skipped.add(skipped(cluster, "the cluster has no Entra ID integration (aadProfile): TrustSync reaches AKS clusters"
            + " with Entra ID tokens only, never with local accounts; enable it (az aks update --enable-aad)"));
        continue;
      }
      hub.resource(desired(discovery, spec, cluster, name)).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
      keep.add(name);
      var entry = new AzureClusterDiscoveryStatus.FoundCluster();
      entry.resourceId = cluster.resourceId();
      entry.location = cluster.location();
      entry.kubernetesVersion = cluster.kubernetesVersion();
      entry.provisioningState = cluster.provisioningState();
      entry.member = name;
      status.clusters.add(entry);
      if (!existing.containsKey(name)) {
        events.normal(discovery, "ClusterRegistered", "AKS cluster " + cluster.resourceId() + " registered as MemberCluster " + name);
      }
    }
    boolean delete = !"Keep".equals(spec.onClusterRemoved);
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    for (MemberCluster member : existing.values()) {
      String name = member.getMetadata().getName();
      if (keep.contains(name)) {
        if (member.getMetadata().getAnnotations() != null && member.getMetadata().getAnnotations().containsKey(LOST_ANNOTATION)) {
          hub.resources(MemberCluster.class).inNamespace(namespace).withName(name).edit(m -> {
            m.getMetadata().getAnnotations().remove(LOST_ANNOTATION);
            return m;
          });
        }
        continue;
      }
      String resourceId = member.getSpec() != null && member.getSpec().azure != null ? member.getSpec().azure.resourceId : name;
      if (delete) {
        hub.resources(MemberCluster.class).inNamespace(namespace).withName(name).delete();
        events.normal(discovery, "ClusterRemoved", "AKS cluster " + resourceId + " is no longer found; MemberCluster " + name + " deleted");
      } else if (member.getMetadata().getAnnotations() == null || !member.getMetadata().getAnnotations().containsKey(LOST_ANNOTATION)) {
        hub.resources(MemberCluster.class).inNamespace(namespace).withName(name).edit(m -> {
          m.getMetadata().getAnnotations().put(LOST_ANNOTATION, now);
          return m;
        });
        events.warning(discovery, "ClusterLost", "AKS cluster " + resourceId + " is no longer found; MemberCluster " + name
            + " is kept (onClusterRemoved: Keep) and annotated " + LOST_ANNOTATION);
      }
    }
    status.lastSyncTime = now;
    status.registered = status.clusters.size();
    status.skippedCount = status.skipped.size();
    status.unmatched = unmatched;
    String message = "found " + found.size() + " cluster(s) in " + spec.subscriptions.size() + " subscription(s): " + status.registered
        + " registered, " + status.skippedCount + " skipped, " + unmatched + " not matching spec.tags";
    return finish(discovery, previous, status, true, "Discovered", message, interval);
  }

  private UpdateControl<AzureClusterDiscovery> finish(AzureClusterDiscovery discovery, AzureClusterDiscoveryStatus previous,
      AzureClusterDiscoveryStatus status, boolean ready, String reason, String message, Duration interval) {
    boolean stalled = reason.equals("InvalidSpec");
    status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
        .set(Conditions.READY, ready, reason, message)
        .set(Conditions.STALLED, stalled, reason, stalled ? message : "")
        .build();
    discovery.setStatus(status);
    return UpdateControl.patchStatus(discovery).rescheduleAfter(interval);
  }

  private static String conditionReason(AzureClusterDiscoveryStatus status) {
    return status.conditions == null ? null : status.conditions.stream().filter(c -> Conditions.READY.equals(c.getType()))
        .map(c -> c.getReason()).findFirst().orElse(null);
  }

  private static AzureClusterDiscoveryStatus.SkippedCluster skipped(AzureClusters.ManagedCluster cluster, String reason) {
    var entry = new AzureClusterDiscoveryStatus.SkippedCluster();
    entry.resourceId = cluster.resourceId();
    entry.reason = reason;
    return entry;
  }

  static boolean tagsMatch(Map<String, String> wanted, Map<String, String> tags) {
    if (wanted == null) {
      return true;
    }
    return wanted.entrySet().stream().allMatch(w -> tags != null && Objects.equals(tags.get(w.getKey()), w.getValue()));
  }

  private MemberCluster desired(AzureClusterDiscovery discovery, AzureClusterDiscoverySpec spec, AzureClusters.ManagedCluster cluster,
      String name) {
    MemberCluster member = new MemberCluster();
    member.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(discovery.getMetadata().getNamespace())
        .withLabels(labels(discovery.getMetadata().getName(), spec.memberLabels, cluster)).build());
    MemberClusterSpec memberSpec = new MemberClusterSpec();
    memberSpec.azure = new MemberClusterSpec.Azure();
    memberSpec.azure.resourceId = cluster.resourceId();
    memberSpec.probeInterval = spec.probeInterval;
    member.setSpec(memberSpec);
    return member;
  }

  /** The cluster's tags that are valid labels, then spec.memberLabels, then region, version and the discovery's name. */
  static Map<String, String> labels(String discovery, Map<String, String> memberLabels, AzureClusters.ManagedCluster cluster) {
    Map<String, String> labels = new TreeMap<>();
    if (cluster.tags() != null) {
      cluster.tags().forEach((key, value) -> {
        if (LABEL_NAME.matcher(key).matches() && value != null && LABEL_VALUE.matcher(value).matches() && !OWN_LABELS.contains(key)) {
          labels.put(key, value);
        }
      });
    }
    if (memberLabels != null) {
      labels.putAll(memberLabels);
    }
    if (cluster.location() != null && LABEL_VALUE.matcher(cluster.location()).matches()) {
      labels.put(REGION_LABEL, cluster.location().toLowerCase(Locale.ROOT));
    }
    if (cluster.kubernetesVersion() != null && LABEL_VALUE.matcher(cluster.kubernetesVersion()).matches()) {
      labels.put(VERSION_LABEL, cluster.kubernetesVersion());
    }
    labels.put(DISCOVERY_LABEL, discovery);
    return labels;
  }

  /** The cluster's name as a DNS label, and six hex digits of its resource ID: two clusters of one name never collide. */
  public static String memberName(AzureClusters.ManagedCluster cluster) {
    String base = cluster.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
    if (base.length() > 56) {
      base = base.substring(0, 56).replaceAll("-+$", "");
    }
    return (base.isEmpty() ? "aks" : base) + "-" + hash(cluster.resourceId().toLowerCase(Locale.ROOT)).substring(0, 6);
  }

  private static String hash(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
