package io.trustsync.crd.trustpolicy;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The Notation trust policy document of one environment, rendered into a member cluster by
 * TrustSync (profile {@code native}); trust stores it references are {@code TrustStore}s in the
 * same namespace.
 */
@Group("trustsync.io")
@Version("v1alpha1")
@Singular("trustpolicy")
@Plural("trustpolicies")
@ShortNames("tspolicy")
@AdditionalPrinterColumn(name = "Environment", jsonPath = ".spec.environment", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Revision", jsonPath = ".metadata.annotations.trustsync\\.io/source-revision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class TrustPolicy extends CustomResource<TrustPolicySpec, Void> implements Namespaced {}
