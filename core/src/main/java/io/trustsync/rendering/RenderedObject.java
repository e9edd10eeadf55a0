package io.trustsync.rendering;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One Kubernetes object a rendering produced; {@code namespace} is null for cluster-scoped kinds. */
public record RenderedObject(String apiVersion, String kind, String namespace, String name, ObjectNode manifest) {
  /** "kind/name" or "kind/namespace/name", as people and drift reports name objects. */
  public String id() {
    return namespace == null ? kind + "/" + name : kind + "/" + namespace + "/" + name;
  }

  public String contentHash() {
    return manifest.path("metadata").path("annotations").path(Ownership.CONTENT_HASH).asText();
  }
}
