package io.trustsync.operator.azure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AzureClusterDiscoveryReconcilerTest {
  private static AzureClusters.ManagedCluster cluster(String resourceId, String name, Map<String, String> tags) {
    return new AzureClusters.ManagedCluster(resourceId, name, "westeurope", tags, "1.34.4", "Succeeded", true, true);
  }

  @Test
  void memberNamesAreDnsLabelsThatTellSameNamedClustersApart() {
    var a = cluster("/subscriptions/s/resourceGroups/rg-a/providers/Microsoft.ContainerService/managedClusters/Prod_EU.1", "Prod_EU.1", Map.of());
    var b = cluster("/subscriptions/s/resourceGroups/rg-b/providers/Microsoft.ContainerService/managedClusters/Prod_EU.1", "Prod_EU.1", Map.of());
    String first = AzureClusterDiscoveryReconciler.memberName(a);
    assertThat(first).matches("prod-eu-1-[0-9a-f]{6}");
    assertThat(AzureClusterDiscoveryReconciler.memberName(b)).startsWith("prod-eu-1-").isNotEqualTo(first);
    assertThat(AzureClusterDiscoveryReconciler.memberName(cluster(a.resourceId().toUpperCase(), "Prod_EU.1", Map.of())))
        .as("ARM resource IDs are case-insensitive").isEqualTo(first);
    assertThat(AzureClusterDiscoveryReconciler.memberName(cluster("/x", "a".repeat(80), Map.of()))).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void labelsComeFromValidTagsThenTheDiscoverysOwn() {
    var tagged = cluster("/x", "c", Map.of("environment", "production", "cost center", "42", "region", "spoofed",
        "trustsync.io/discovery", "other", "owner", "team a"));
    Map<String, String> labels = AzureClusterDiscoveryReconciler.labels("prod", Map.of("fleet", "payments"), tagged);
    assertThat(labels).containsEntry("environment", "production").containsEntry("fleet", "payments")
        .containsEntry("region", "westeurope").containsEntry("trustsync.io/kubernetes-version", "1.34.4")
        .containsEntry("trustsync.io/discovery", "prod")
        .doesNotContainKeys("cost center", "owner");
  }

  @Test
  void everyWantedTagMustMatch() {
    assertThat(AzureClusterDiscoveryReconciler.tagsMatch(null, Map.of())).isTrue();
    assertThat(AzureClusterDiscoveryReconciler.tagsMatch(Map.of("environment", "production"), Map.of("environment", "production", "x", "y"))).isTrue();
    assertThat(AzureClusterDiscoveryReconciler.tagsMatch(Map.of("environment", "production", "team", "a"), Map.of("environment", "production"))).isFalse();
    assertThat(AzureClusterDiscoveryReconciler.tagsMatch(Map.of("environment", "production"), null)).isFalse();
  }
}
