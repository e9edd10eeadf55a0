package io.trustsync.crd.distribution;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** Renders one environment of a PolicySource into every selected MemberCluster and keeps it there. */
@Group("trustsync.io")
@Version("v1alpha1")
@Singular("trustdistribution")
@Plural("trustdistributions")
@ShortNames("tdist")
@AdditionalPrinterColumn(name = "Environment", jsonPath = ".spec.environment", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Revision", jsonPath = ".status.revision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Synced", jsonPath = ".status.syncedClusters", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Drifted", jsonPath = ".status.conditions[?(@.type==\"Drifted\")].status", type = AdditionalPrinterColumn.Type.STRING)
public class TrustDistribution extends CustomResource<TrustDistributionSpec, TrustDistributionStatus> implements Namespaced {}
