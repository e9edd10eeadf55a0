package io.trustsync.crd.azure;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * AKS clusters found in Azure subscriptions, kept as one MemberCluster each (reached keylessly,
 * with the operator's workload identity). Honoured in platform namespaces only: it acts with the
 * operator's Azure identity.
 */
@Group("trustsync.io")
@Version("v1alpha1")
@Singular("azureclusterdiscovery")
@Plural("azureclusterdiscoveries")
@ShortNames("acd")
@AdditionalPrinterColumn(name = "Registered", jsonPath = ".status.registered", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Skipped", jsonPath = ".status.skippedCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Last-Sync", jsonPath = ".status.lastSyncTime", type = AdditionalPrinterColumn.Type.DATE)
public class AzureClusterDiscovery extends CustomResource<AzureClusterDiscoverySpec, AzureClusterDiscoveryStatus> implements Namespaced {}
