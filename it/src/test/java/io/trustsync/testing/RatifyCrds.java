package io.trustsync.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Ratify's own CRDs, which scripts/ratify-crds.sh (run by scripts/test.sh) fetches from its Go module. */
public final class RatifyCrds {
  private RatifyCrds() {}

  /** The folder of Ratify v1's CRDs ({@code config.ratify.deislabs.io}). */
  public static Path v1() {
    return folder("ratify@" + System.getenv().getOrDefault("TRUSTSYNC_RATIFY_V1_VERSION", "v1.4.6"));
  }

  /** The folder of Ratify v2's CRDs ({@code config.ratify.sh} Executor and NamespacedExecutor, v2alpha1 and v2beta1). */
  public static Path v2() {
    return folder("ratify-v2@" + System.getenv().getOrDefault("TRUSTSYNC_RATIFY_V2_VERSION", "v2.0.0-beta.2"));
  }

  private static Path folder(String name) {
    String root = System.getenv().getOrDefault("KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest");
    Path folder = Path.of(root, "ratify", name);
    if (!Files.isDirectory(folder)) {
      throw new IllegalStateException(folder + " is missing: run scripts/ratify-crds.sh (scripts/test.sh does)");
    }
    return folder;
  }
}
