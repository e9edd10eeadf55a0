package io.trustsync.crd.membercluster;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A cluster TrustSync renders trust policy into; its labels (environment, region) select it. */
@Group("trustsync.io")
@Version("v1alpha1")
@Singular("membercluster")
@Plural("memberclusters")
@ShortNames("mc")
@AdditionalPrinterColumn(name = "Reachable", jsonPath = ".status.reachable", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.serverVersion", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Last-Contact", jsonPath = ".status.lastContact", type = AdditionalPrinterColumn.Type.DATE)
public class MemberCluster extends CustomResource<MemberClusterSpec, MemberClusterStatus> implements Namespaced {}
