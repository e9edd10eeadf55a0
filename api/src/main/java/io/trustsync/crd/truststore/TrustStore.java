package io.trustsync.crd.truststore;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Notation trust store rendered into a member cluster by TrustSync (profile {@code native}):
 * the certificates of one {@code truststore/x509/<type>/<name>} folder of the policy repository.
 */
@Group("trustsync.io")
@Version("v1alpha1")
@Singular("truststore")
@Plural("truststores")
@ShortNames("tsstore")
@AdditionalPrinterColumn(name = "Environment", jsonPath = ".spec.environment", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Store", jsonPath = ".spec.storeName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Revision", jsonPath = ".metadata.annotations.trustsync\\.io/source-revision", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class TrustStore extends CustomResource<TrustStoreSpec, Void> implements Namespaced {}
