package io.trustsync.crd.target;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * What one member cluster must hold for one TrustDistribution (spec) and what it holds (status:
 * state, the revision and digest applied, drift, and the inventory of every object applied).
 * The distribution creates one per selected member and owns it; the operator writes nothing
 * else per cluster, so prune and deletion are computed from the inventory after any restart.
 */
@Group("trustsync.io")
@Version("v1alpha1")
@Singular("trustdistributiontarget")
@Plural("trustdistributiontargets")
@ShortNames("tdt")
@AdditionalPrinterColumn(name = "Member", jsonPath = ".spec.member", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Revision", jsonPath = ".status.appliedRevision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
public class TrustDistributionTarget extends CustomResource<TrustDistributionTargetSpec, TrustDistributionTargetStatus> implements Namespaced {}
