package io.trustsync.rendering;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Profile {@code ratify-v2} (config.ratify.sh/v2alpha1): one Executor (NamespacedExecutor with a
 * namespace) per trust policy statement, scoped to the statement's registry scopes, with a
 * notation verifier carrying the statement's certificates inline.
 *
 * <p>The v2 notation verifier has no per-scope level, no overrides, no timestamp option and no
 * trusted identities: every such setting is reported as a {@code render.ratifyV2.*} warning,
 * because silently dropping an identity restriction would widen who may sign.
 */
final class RatifyV2Rendering {
  static final String API_VERSION = "config.ratify.sh/v2alpha1";

  private RatifyV2Rendering() {}

  static Rendering render(RenderRequest request) {
    Map<String, LoadedTrustStore> stores = request.stores().stream()
        .collect(Collectors.toMap(LoadedTrustStore::reference, Function.identity(), (a, b) -> a));
    List<RenderedObject> objects = new ArrayList<>();
    List<Finding> warnings = new ArrayList<>();
    String file = request.policy().file();
    String kind = request.namespace() != null ? "NamespacedExecutor" : "Executor";
    for (TrustPolicyStatement statement : request.policy().statements()) {
      String where = "statement '" + statement.name() + "'";
      if (statement.level().equals("skip")) {
        warnings.add(warning("render.ratifyV2.skip", file, statement.pointer() + "/signatureVerification/level",
            where + " skips verification; ratify-v2 has no skip level, so no Executor is rendered and Ratify will not verify "
                + statement.registryScopes() + " unless another Executor covers them"));
        continue;
      }
      if (!statement.level().equals("strict")) {
        warnings.add(warning("render.ratifyV2.level", file, statement.pointer() + "/signatureVerification/level",
            where + " uses level '" + statement.level() + "'; ratify-v2 executors cannot express it and enforce every check; use the ratify-v1 or native profile to keep it"));
      }
      if (!statement.override().isEmpty()) {
        warnings.add(warning("render.ratifyV2.override", file, statement.pointer() + "/signatureVerification/override",
            where + " overrides " + statement.override().keySet() + "; ratify-v2 cannot express overrides and ignores them"));
      }
      if (!statement.verifyTimestamp().isEmpty() && !statement.verifyTimestamp().equals("always")) {
        warnings.add(warning("render.ratifyV2.verifyTimestamp", file, statement.pointer() + "/signatureVerification/verifyTimestamp",
            where + " sets verifyTimestamp '" + statement.verifyTimestamp() + "'; ratify-v2 cannot express it"));
      }
      if (!(statement.trustedIdentities().size() == 1 && statement.trustedIdentities().get(0).equals("*"))) {
        warnings.add(warning("render.ratifyV2.trustedIdentities", file, statement.pointer() + "/trustedIdentities",
            where + " trusts only " + statement.trustedIdentities() + "; ratify-v2 cannot restrict identities, so ANY certificate issued under its trust stores will be accepted for "
                + statement.registryScopes() + "; use the ratify-v1 or native profile to keep the restriction"));
      }
      ObjectNode executor = KubernetesObjects.envelope(request, Profile.RATIFY_V2, API_VERSION, kind,
          ObjectNames.of(request.environment(), statement.name()));
      ObjectNode spec = executor.putObject("spec");
      var scopes = spec.putArray("scopes");
      statement.registryScopes().forEach(scopes::add);
      ObjectNode store = spec.putArray("stores").addObject();
      store.put("type", "registry-store");
      String verifierName = "notation";
      ObjectNode verifier = spec.putArray("verifiers").addObject();
      verifier.put("name", verifierName);
      verifier.put("type", "notation");
      var certificates = verifier.putObject("parameters").putArray("certificates");
      for (String reference : statement.trustStores()) {
        LoadedTrustStore trustStore = stores.get(reference);
        if (trustStore == null) {
          continue; // validation already rejected unknown stores; a render request only holds accepted ones
        }
        StringBuilder bundle = new StringBuilder();
        for (TrustedCertificate certificate : trustStore.certificates()) {
          bundle.append(certificate.pem());
        }
        ObjectNode entry = certificates.addObject();
        entry.put("type", trustStore.directory().type().spelling());
        entry.put("inline", bundle.toString());
      }
      ObjectNode enforcer = spec.putObject("policyEnforcer");
      enforcer.put("type", "threshold-policy");
      enforcer.putObject("parameters").putObject("policy").putArray("rules").addObject().put("verifierName", verifierName);
      objects.add(KubernetesObjects.finish(request, executor, file));
    }
    return new Rendering(Profile.RATIFY_V2, objects, warnings);
  }

  private static Finding warning(String rule, String file, String pointer, String message) {
    return new Finding(rule, Severity.WARNING, file, pointer, 0, 0, message);
  }
}
