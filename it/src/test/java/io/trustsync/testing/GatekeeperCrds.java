package io.trustsync.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gatekeeper's CRDs, and the Constraint CRD Gatekeeper's own code makes from Ratify v1's
 * ConstraintTemplate (kind RatifyVerification), which scripts/gatekeeper-crds.sh (run by
 * scripts/test.sh) fetches and generates from their Go modules.
 */
public final class GatekeeperCrds {
  private GatekeeperCrds() {}

  public static Path folder() {
    String root = System.getenv().getOrDefault("KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest");
    Path folder = Path.of(root, "gatekeeper", "gatekeeper@" + System.getenv().getOrDefault("TRUSTSYNC_GATEKEEPER_VERSION", "v3.23.1"));
    if (!Files.isDirectory(folder)) {
      throw new IllegalStateException(folder + " is missing: run scripts/gatekeeper-crds.sh (scripts/test.sh does)");
    }
    return folder;
  }
}
