package io.trustsync.rendering;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import io.trustsync.repository.StoreType;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Profile {@code ratify-v2}: one Executor (NamespacedExecutor with a namespace) per trust policy
 * statement, in the shape Ratify v2 (2.0.0-beta.2) loads:
 *
 * <ul>
 *   <li>{@code spec.scopes}: the statement's registry scopes, which in Notation are always
 *       {@code registry/repository} and so are Ratify repository scopes;
 *   <li>one notation verifier with the statement's scopes and {@code trustedIdentities}, and one
 *       {@code certificates} entry per store type ({@code ca}, {@code tsa},
 *       {@code signingAuthority}: Ratify refuses a type twice), its certificates inline as
 *       {@code inline: {certs: PEM}}, every store of that type the statement trusts concatenated;
 *   <li>a {@code registry-store} with {@code parameters.credential} from {@link ProfileOptions};
 *   <li>a threshold policy that requires the verifier.
 * </ul>
 *
 * <p>What Ratify v2 cannot express is reported per statement as a {@code render.ratifyV2.*}
 * warning (the distribution shows them as its {@code Lossy} condition): levels other than strict
 * (it enforces strict), overrides, a {@code verifyTimestamp} other than {@code always}, the
 * global {@code *} scope (not a valid Ratify scope: one invalid Executor stops every Executor of
 * its namespace, so such a scope is left out, never written), and {@code skip} (no Executor).
 */
final class RatifyV2Rendering {
  static final String VERIFIER = "notation";

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
      String pointer = statement.pointer();
      if (statement.level().equals("skip")) {
        warnings.add(warning("render.ratifyV2.skip", file, pointer + "/signatureVerification/level",
            where + " skips verification; Ratify v2 has no skip level, so no Executor is rendered and Ratify answers "
                + statement.registryScopes() + " with \"no executor configured\" unless another Executor covers them"));
        continue;
      }
      List<String> scopes = new ArrayList<>();
      for (int i = 0; i < statement.registryScopes().size(); i++) {
        String scope = statement.registryScopes().get(i);
        String problem = RatifyScopes.problem(scope);
        if (problem == null) {
          scopes.add(scope);
        } else {
          warnings.add(warning("render.ratifyV2.scope", file, pointer + "/registryScopes/" + i,
              where + ": scope '" + scope + "' " + problem + "; it is left out of the Executor (one invalid scope would stop every Executor "
                  + "in the namespace); list the repositories it should cover, or use the ratify-v1 or native profile"));
        }
      }
      if (scopes.isEmpty()) {
        warnings.add(warning("render.ratifyV2.noScope", file, pointer + "/registryScopes",
            where + " has no scope Ratify v2 accepts, so no Executor is rendered for it"));
        continue;
      }
      if (!statement.level().equals("strict")) {
        warnings.add(warning("render.ratifyV2.level", file, pointer + "/signatureVerification/level",
            where + " uses level '" + statement.level() + "'; Ratify v2 verifies strictly, so artifacts that '" + statement.level()
                + "' would admit with a logged failure are denied; use the ratify-v1 or native profile to keep the level"));
      }
      if (!statement.override().isEmpty()) {
        warnings.add(warning("render.ratifyV2.override", file, pointer + "/signatureVerification/override",
            where + " overrides " + statement.override().keySet() + "; Ratify v2 cannot express overrides and enforces every check"));
      }
      if (!statement.verifyTimestamp().isEmpty() && !statement.verifyTimestamp().equals("always")) {
        warnings.add(warning("render.ratifyV2.verifyTimestamp", file, pointer + "/signatureVerification/verifyTimestamp",
            where + " sets verifyTimestamp '" + statement.verifyTimestamp() + "'; Ratify v2 always verifies timestamps"));
      }
      ObjectNode executor = KubernetesObjects.envelope(request, Profile.RATIFY_V2, request.options().ratifyV2ApiVersion(), kind,
          ObjectNames.of(request.environment(), statement.name()));
      ObjectNode spec = executor.putObject("spec");
      var specScopes = spec.putArray("scopes");
      scopes.forEach(specScopes::add);

      ObjectNode store = spec.putArray("stores").addObject();
      store.put("type", "registry-store");
      ObjectNode credential = store.putObject("parameters").putObject("credential");
      request.options().registryCredential().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> credential.put(e.getKey(), e.getValue()));

      ObjectNode verifier = spec.putArray("verifiers").addObject();
      verifier.put("name", VERIFIER);
      verifier.put("type", "notation");
      ObjectNode parameters = verifier.putObject("parameters");
      var verifierScopes = parameters.putArray("scopes");
      scopes.forEach(verifierScopes::add);
      var identities = parameters.putArray("trustedIdentities");
      statement.trustedIdentities().forEach(identities::add);
      var certificates = parameters.putArray("certificates");
      byType(statement, stores).forEach((type, pems) -> {
        ObjectNode entry = certificates.addObject();
        entry.put("type", type.spelling());
        entry.putObject("inline").put("certs", String.join("", pems));
      });

      ObjectNode policy = spec.putObject("policyEnforcer");
      policy.put("type", "threshold-policy");
      policy.putObject("parameters").putObject("policy").putArray("rules").addObject().put("verifierName", VERIFIER);
      objects.add(KubernetesObjects.finish(request, executor, file));
    }
    return new Rendering(Profile.RATIFY_V2, objects, warnings);
  }

  /** The PEM of every certificate of every store the statement trusts, grouped by store type (ca, tsa, signingAuthority), each once. */
  private static Map<StoreType, Set<String>> byType(TrustPolicyStatement statement, Map<String, LoadedTrustStore> stores) {
    Map<StoreType, Set<String>> byType = new EnumMap<>(StoreType.class);
    for (String reference : statement.trustStores()) {
      LoadedTrustStore trustStore = stores.get(reference);
      if (trustStore == null) {
        continue; // validation already rejected unknown stores; a render request only holds accepted ones
      }
      Set<String> pems = byType.computeIfAbsent(trustStore.directory().type(), t -> new LinkedHashSet<>());
      for (TrustedCertificate certificate : trustStore.certificates()) {
        pems.add(certificate.pem());
      }
    }
    return byType;
  }

  private static Finding warning(String rule, String file, String pointer, String message) {
    return new Finding(rule, Severity.WARNING, file, pointer, 0, 0, message);
  }
}
