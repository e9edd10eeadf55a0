package io.trustsync.rendering;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the envelope (apiVersion, kind, metadata) of a rendered object as a JSON tree. */
final class KubernetesObjects {
  private KubernetesObjects() {}

  static ObjectNode envelope(RenderRequest request, Profile profile, String apiVersion, String kind, String name) {
    ObjectNode object = ManifestWriter.json().createObjectNode();
    object.put("apiVersion", apiVersion);
    object.put("kind", kind);
    ObjectNode metadata = object.putObject("metadata");
    metadata.put("name", name);
    if (request.namespace() != null) {
      metadata.put("namespace", request.namespace());
    }
    ObjectNode labels = metadata.putObject("labels");
    Ownership.labels(request, profile).forEach(labels::put);
    return object;
  }

  static RenderedObject finish(RenderRequest request, ObjectNode object, String sourcePath) {
    Ownership.stamp(object, request.revision(), sourcePath);
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    return new RenderedObject(
        object.get("apiVersion").asText(),
        object.get("kind").asText(),
        request.namespace(),
        metadata.get("name").asText(),
        object);
  }

  /** The trust policy document itself, as notation reads it (decoded, so canonical). */
  static ObjectNode trustPolicyDocument(RenderRequest request) {
    ObjectNode document = ManifestWriter.json().createObjectNode();
    document.put("version", request.policy().version());
    var statements = document.putArray("trustPolicies");
    for (var statement : request.policy().statements()) {
      ObjectNode s = statements.addObject();
      s.put("name", statement.name());
      var scopes = s.putArray("registryScopes");
      statement.registryScopes().forEach(scopes::add);
      ObjectNode verification = s.putObject("signatureVerification");
      verification.put("level", statement.level());
      if (!statement.override().isEmpty()) {
        ObjectNode override = verification.putObject("override");
        new java.util.TreeMap<>(statement.override()).forEach(override::put);
      }
      if (!statement.verifyTimestamp().isEmpty()) {
        verification.put("verifyTimestamp", statement.verifyTimestamp());
      }
      if (!statement.trustStores().isEmpty()) {
        var stores = s.putArray("trustStores");
        statement.trustStores().forEach(stores::add);
      }
      if (!statement.trustedIdentities().isEmpty()) {
        var identities = s.putArray("trustedIdentities");
        statement.trustedIdentities().forEach(identities::add);
      }
    }
    return document;
  }
}
