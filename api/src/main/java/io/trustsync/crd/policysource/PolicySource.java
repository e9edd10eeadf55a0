package io.trustsync.crd.policysource;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Git repository holding a policy repository; every fetched revision is validated before use. */
@Group("trustsync.io")
@Version("v1alpha1")
@Singular("policysource")
@Plural("policysources")
@ShortNames("psrc")
@AdditionalPrinterColumn(name = "URL", jsonPath = ".spec.url", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Accepted", jsonPath = ".status.lastAcceptedRevision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Fetched", jsonPath = ".status.fetchedRevision", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Status", jsonPath = ".status.conditions[?(@.type==\"Ready\")].message", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
public class PolicySource extends CustomResource<PolicySourceSpec, PolicySourceStatus> implements Namespaced {}
