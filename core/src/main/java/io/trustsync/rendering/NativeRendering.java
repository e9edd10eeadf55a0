package io.trustsync.rendering;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.trustsync.crd.trustpolicy.SignatureVerificationSpec;
import io.trustsync.crd.trustpolicy.TrustPolicy;
import io.trustsync.crd.trustpolicy.TrustPolicySpec;
import io.trustsync.crd.trustpolicy.TrustPolicyStatementSpec;
import io.trustsync.crd.truststore.TrustStore;
import io.trustsync.crd.truststore.TrustStoreSpec;
import io.trustsync.crd.truststore.TrustedCertificateEntry;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Profile {@code native}: one TrustStore per referenced store and one TrustPolicy per
 * environment, built from the CRD classes so the objects always match the published CRDs.
 */
final class NativeRendering {
  private NativeRendering() {}

  static Rendering render(RenderRequest request) {
    List<RenderedObject> objects = new ArrayList<>();
    for (LoadedTrustStore store : request.stores()) {
      objects.add(trustStore(request, store));
    }
    objects.add(trustPolicy(request));
    return new Rendering(Profile.NATIVE, objects, List.of());
  }

  static String trustStoreName(String environment, LoadedTrustStore store) {
    return ObjectNames.of(environment, store.directory().type().spelling(), store.directory().name());
  }

  private static RenderedObject trustStore(RenderRequest request, LoadedTrustStore store) {
    TrustStoreSpec spec = new TrustStoreSpec();
    spec.environment = request.environment();
    spec.type = store.directory().type().spelling();
    spec.storeName = store.directory().name();
    spec.certificates = new ArrayList<>();
    for (TrustedCertificate certificate : store.certificates()) {
      TrustedCertificateEntry entry = new TrustedCertificateEntry();
      entry.source = certificate.index() == 0 ? certificate.file() : certificate.file() + "#" + certificate.index();
      entry.subject = certificate.subject();
      entry.issuer = certificate.issuer();
      entry.notBefore = certificate.notBefore().toString();
      entry.notAfter = certificate.notAfter().toString();
      entry.sha256Fingerprint = certificate.sha256Fingerprint();
      entry.pem = certificate.pem();
      spec.certificates.add(entry);
    }
    TrustStore resource = new TrustStore();
    resource.setSpec(spec);
    return object(request, resource, trustStoreName(request.environment(), store), store.directory().path());
  }

  private static RenderedObject trustPolicy(RenderRequest request) {
    TrustPolicySpec spec = new TrustPolicySpec();
    spec.environment = request.environment();
    spec.source = request.policy().file();
    spec.version = request.policy().version();
    spec.trustPolicies = new ArrayList<>();
    for (TrustPolicyStatement statement : request.policy().statements()) {
      TrustPolicyStatementSpec s = new TrustPolicyStatementSpec();
      s.name = statement.name();
      s.registryScopes = List.copyOf(statement.registryScopes());
      s.signatureVerification = new SignatureVerificationSpec();
      s.signatureVerification.level = statement.level();
      s.signatureVerification.override = statement.override().isEmpty() ? null : new TreeMap<>(statement.override());
      s.signatureVerification.verifyTimestamp = statement.verifyTimestamp().isEmpty() ? null : statement.verifyTimestamp();
      s.trustStores = List.copyOf(statement.trustStores());
      s.trustedIdentities = List.copyOf(statement.trustedIdentities());
      spec.trustPolicies.add(s);
    }
    TrustPolicy resource = new TrustPolicy();
    resource.setSpec(spec);
    return object(request, resource, ObjectNames.of(request.environment()), request.policy().file());
  }

  private static RenderedObject object(RenderRequest request, CustomResource<?, ?> resource, String name, String sourcePath) {
    resource.setMetadata(new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(request.namespace())
        .withLabels(Ownership.labels(request, Profile.NATIVE))
        .build());
    ObjectNode manifest = ManifestWriter.json().valueToTree(resource);
    manifest.remove("status");
    ObjectNode ordered = ManifestWriter.json().createObjectNode();
    ordered.put("apiVersion", resource.getApiVersion());
    ordered.put("kind", resource.getKind());
    ordered.set("metadata", manifest.get("metadata"));
    ordered.set("spec", manifest.get("spec"));
    Ownership.stamp(ordered, request.revision(), sourcePath);
    return new RenderedObject(resource.getApiVersion(), resource.getKind(), request.namespace(), name, ordered);
  }
}
