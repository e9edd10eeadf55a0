package io.trustsync.crd.audit;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The field guide's signer audit, on a schedule: the images of an environment's repositories,
 * their Notation signatures verified against the source's accepted revision, grouped by signer,
 * with the signers that environment's expected-signers.yaml does not expect (docs/audit.md).
 */
@Group("trustsync.io")
@Version("v1alpha1")
@Singular("signeraudit")
@Plural("signeraudits")
@ShortNames("sga")
@AdditionalPrinterColumn(name = "Images", jsonPath = ".status.summary.images", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Unexpected", jsonPath = ".status.summary.unexpectedSigners", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Unsigned", jsonPath = ".status.summary.unsigned", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Last-Audit", jsonPath = ".status.lastAuditTime", type = AdditionalPrinterColumn.Type.DATE)
public class SignerAudit extends CustomResource<SignerAuditSpec, SignerAuditStatus> implements Namespaced {}
