package io.trustsync.rendering;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Profile {@code flux}: the Secret that Flux source-controller's {@code OCIRepository} reads for
 * {@code spec.verify.provider: notation} ({@code spec.verify.secretRef}): the trust policy under
 * {@code trustpolicy.json}, and the certificates under keys ending in {@code .pem}.
 *
 * <p>How source-controller (v1.x) reads it decides the layout: it decodes only the first PEM block
 * of each key, so every certificate gets a key of its own; and its trust store hands every
 * certificate of the Secret to every store a statement names, whatever the store's type or name.
 * A policy whose statements trust different stores, or stores of more than one type, is
 * therefore widened in Flux: that is reported per statement ({@code render.flux.storesMerged}).
 */
final class FluxRendering {
  private FluxRendering() {}

  static Rendering render(RenderRequest request) {
    String file = request.policy().file();
    ObjectNode secret = KubernetesObjects.envelope(request, Profile.FLUX, "v1", "Secret", ObjectNames.of(request.environment(), "notation"));
    secret.put("type", "Opaque");
    ObjectNode data = secret.putObject("data");
    data.put("trustpolicy.json", base64(ManifestWriter.canonicalJson(KubernetesObjects.trustPolicyDocument(request))));
    Set<String> all = new TreeSet<>();
    for (LoadedTrustStore store : request.stores()) {
      all.add(store.reference());
      int i = 0;
      for (TrustedCertificate certificate : store.certificates()) {
        data.put(store.directory().type().spelling() + "-" + store.directory().name() + "-" + i++ + ".pem", base64(certificate.pem()));
      }
    }
    List<Finding> warnings = new ArrayList<>();
    for (TrustPolicyStatement statement : request.policy().statements()) {
      if (statement.level().equals("skip")) {
        continue;
      }
      Set<String> own = new TreeSet<>(statement.trustStores());
      Set<String> types = new TreeSet<>();
      own.forEach(reference -> types.add(reference.substring(0, reference.indexOf(':'))));
      Set<String> others = new TreeSet<>(all);
      others.removeAll(own);
      if (!others.isEmpty() || types.size() > 1) {
        warnings.add(new Finding("render.flux.storesMerged", Severity.WARNING, file, statement.pointer() + "/trustStores", 0, 0,
            "statement '" + statement.name() + "' trusts " + own + ", but Flux's notation verifier hands every certificate in the Secret to"
                + " every store a statement names" + (others.isEmpty() ? "" : ", so it also trusts " + others)
                + (types.size() > 1 ? ", and certificates of each type serve as the others (" + String.join(", ", types) + ")" : "")
                + "; use one distribution (one Secret) per set of stores, or the ratify or notation profile"));
      }
    }
    return new Rendering(Profile.FLUX, List.of(KubernetesObjects.finish(request, secret, file)), warnings);
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
