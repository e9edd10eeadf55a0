package io.trustsync.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where {@code etcd}, {@code kube-apiserver} and {@code kubectl} live. The same lookup as
 * {@code scripts/kube-binaries.sh}: {@code $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64}
 * (default {@code ~/.kubeapitest}, version {@code $TRUSTSYNC_K8S_VERSION} or {@value #DEFAULT_VERSION}),
 * else a complete {@code $KUBEBUILDER_ASSETS} folder (setup-envtest).
 */
public record KubeBinaries(Path directory) {

  public static final String DEFAULT_VERSION = "1.34.4";
  private static final List<String> NAMES = List.of("etcd", "kube-apiserver", "kubectl");

  public static KubeBinaries fromEnvironment() {
    String version = env("TRUSTSYNC_K8S_VERSION", DEFAULT_VERSION);
    String root = env("KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest");
    KubeBinaries versioned = new KubeBinaries(Path.of(root, "k8s", version + "-linux-amd64"));
    String assets = System.getenv("KUBEBUILDER_ASSETS");
    if (!versioned.complete() && assets != null && new KubeBinaries(Path.of(assets)).complete()) {
      return new KubeBinaries(Path.of(assets));
    }
    return versioned;
  }

  public boolean complete() {
    return NAMES.stream().allMatch(name -> Files.isExecutable(directory.resolve(name)));
  }

  public Path etcd() {
    return require("etcd");
  }

  public Path kubeApiServer() {
    return require("kube-apiserver");
  }

  public Path kubectl() {
    return require("kubectl");
  }

  private Path require(String name) {
    Path binary = directory.resolve(name);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "missing " + binary + ": run scripts/kube-binaries.sh to build or copy etcd, kube-apiserver"
              + " and kubectl there (or set KUBE_API_TEST_DIR / KUBEBUILDER_ASSETS to a folder that has them)");
    }
    return binary;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
