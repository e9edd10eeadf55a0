package io.trustsync.rendering;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Profile {@code ratify-v1} (config.ratify.deislabs.io/v1beta1): one inline
 * KeyManagementProvider per trust store and one notation Verifier whose verificationCertStores
 * map each {@code type:name} the policy uses to its provider, and whose trustPolicyDoc is the
 * policy itself — Ratify's notation verifier reads the whole document, so nothing is lost.
 * With a namespace the namespaced kinds are used and providers are referenced as ns/name.
 */
final class RatifyV1Rendering {
  static final String API_VERSION = "config.ratify.deislabs.io/v1beta1";

  private RatifyV1Rendering() {}

  static Rendering render(RenderRequest request) {
    boolean namespaced = request.namespace() != null;
    List<RenderedObject> objects = new ArrayList<>();
    Map<String, Map<String, List<String>>> certStores = new TreeMap<>();
    for (LoadedTrustStore store : request.stores()) {
      String name = ObjectNames.of(request.environment(), store.directory().type().spelling(), store.directory().name());
      ObjectNode provider = KubernetesObjects.envelope(request, Profile.RATIFY_V1, API_VERSION,
          namespaced ? "NamespacedKeyManagementProvider" : "KeyManagementProvider", name);
      ObjectNode spec = provider.putObject("spec");
      spec.put("type", "inline");
      ObjectNode parameters = spec.putObject("parameters");
      parameters.put("contentType", "certificate");
      StringBuilder bundle = new StringBuilder();
      for (TrustedCertificate certificate : store.certificates()) {
        bundle.append(certificate.pem());
      }
      parameters.put("value", bundle.toString());
      objects.add(KubernetesObjects.finish(request, provider, store.directory().path()));
      String reference = namespaced ? request.namespace() + "/" + name : name;
      certStores.computeIfAbsent(store.directory().type().spelling(), t -> new TreeMap<>())
          .computeIfAbsent(store.directory().name(), n -> new ArrayList<>())
          .add(reference);
    }
    ObjectNode verifier = KubernetesObjects.envelope(request, Profile.RATIFY_V1, API_VERSION,
        namespaced ? "NamespacedVerifier" : "Verifier", ObjectNames.of("notation", request.environment()));
    ObjectNode spec = verifier.putObject("spec");
    spec.put("name", "notation");
    spec.put("artifactTypes", "application/vnd.cncf.notary.signature");
    ObjectNode parameters = spec.putObject("parameters");
    ObjectNode stores = parameters.putObject("verificationCertStores");
    certStores.forEach((type, byName) -> {
      ObjectNode typeNode = stores.putObject(type);
      byName.forEach((name, refs) -> {
        var array = typeNode.putArray(name);
        refs.forEach(array::add);
      });
    });
    parameters.set("trustPolicyDoc", KubernetesObjects.trustPolicyDocument(request));
    objects.add(KubernetesObjects.finish(request, verifier, request.policy().file()));
    return new Rendering(Profile.RATIFY_V1, objects, List.of());
  }
}
