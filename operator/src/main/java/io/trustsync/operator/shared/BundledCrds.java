package io.trustsync.operator.shared;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;

/** The CRDs generated into the TrustSync jar (META-INF/fabric8), for installing on hub and members. */
public final class BundledCrds {
  private BundledCrds() {}

  public static CustomResourceDefinition load(String name) {
    String path = "/META-INF/fabric8/" + name + "-v1.yml";
    try (InputStream in = BundledCrds.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("CRD " + path + " is missing from the TrustSync jar");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read bundled CRD " + path, e);
    }
  }

  /** True once the API server serves the CRD; status and conditions are absent just after creation. */
  public static boolean established(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream().anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
