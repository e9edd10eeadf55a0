package io.trustsync.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A Secret in the same namespace as the resource that names it. */
public class SecretReference {
  @Required
  @JsonPropertyDescription("Name of a Secret in the same namespace.")
  public String name;

  public SecretReference() {}

  public SecretReference(String name) {
    this.name = name;
  }
}
