package io.trustsync.rendering;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Profile {@code notation}: a Notation configuration directory as ConfigMaps (everything in it is
 * public), for any notation-based verifier or a {@code notation verify} job to mount: one
 * ConfigMap {@code <env>-trustpolicy} with {@code trustpolicy.json}, and one ConfigMap per trust
 * store with its certificate files, annotated with the folder it belongs in
 * ({@code trustsync.io/notation-path: truststore/x509/<type>/<name>}). A projected volume puts them
 * together under one directory (docs/operator.md, "Profiles"). Nothing is lost: notation reads
 * this layout itself.
 */
final class NotationRendering {
  static final String PATH_ANNOTATION = "trustsync.io/notation-path";
  private static final Pattern KEY = Pattern.compile("[-._a-zA-Z0-9]+");

  private NotationRendering() {}

  static Rendering render(RenderRequest request) {
    List<RenderedObject> objects = new ArrayList<>();
    String file = request.policy().file();
    ObjectNode policy = KubernetesObjects.envelope(request, Profile.NOTATION, "v1", "ConfigMap", ObjectNames.of(request.environment(), "trustpolicy"));
    annotate(policy, "trustpolicy.json");
    policy.putObject("data").put("trustpolicy.json", ManifestWriter.canonicalJson(KubernetesObjects.trustPolicyDocument(request)));
    objects.add(KubernetesObjects.finish(request, policy, file));
    for (LoadedTrustStore store : request.stores()) {
      String folder = "truststore/x509/" + store.directory().type().spelling() + "/" + store.directory().name();
      ObjectNode configMap = KubernetesObjects.envelope(request, Profile.NOTATION, "v1", "ConfigMap",
          ObjectNames.of(request.environment(), store.directory().type().spelling(), store.directory().name()));
      annotate(configMap, folder);
      // one key per file of the store, as notation reads the folder: every PEM block of a file counts
      Map<String, StringBuilder> files = new LinkedHashMap<>();
      for (TrustedCertificate certificate : store.certificates()) {
        files.computeIfAbsent(key(certificate.file()), k -> new StringBuilder()).append(certificate.pem());
      }
      ObjectNode data = configMap.putObject("data");
      files.forEach((key, pem) -> data.put(key, pem.toString()));
      objects.add(KubernetesObjects.finish(request, configMap, store.directory().path()));
    }
    return new Rendering(Profile.NOTATION, objects, List.of());
  }

  private static void annotate(ObjectNode object, String path) {
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    metadata.putObject("annotations").put(PATH_ANNOTATION, path);
  }

  /** The file's name as a ConfigMap key: kept when Kubernetes allows it, made safe (and unique by a hash) when not. */
  private static String key(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (KEY.matcher(name).matches()) {
      return name;
    }
    return name.replaceAll("[^-._a-zA-Z0-9]", "_") + "-" + Ownership.sha256(name).substring(0, 6);
  }
}
