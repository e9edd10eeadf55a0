package io.trustsync.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustsync.local.KubeBinaries;
import io.trustsync.local.LocalControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A control plane that cannot start says why, without anyone reading logs by hand. */
class LocalControlPlaneStartupIT {

  @TempDir Path folder;

  @Test
  void missingBinaryNamesItsPathAndTheScript() {
    Path empty = folder.resolve("k8s/9.9.9-linux-amd64");
    try (LocalControlPlane plane = LocalControlPlane.create("x", new KubeBinaries(empty), folder.resolve("data"))) {
      assertThatThrownBy(plane::start)
          .hasMessageContaining(empty.resolve("etcd").toString())
          .hasMessageContaining("scripts/kube-binaries.sh");
    }
  }

  @Test
  void processThatExitsEarlyReportsTheEndOfItsLog() throws Exception {
    Path binaries = Files.createDirectories(folder.resolve("fake"));
    executable(binaries.resolve("etcd"), "#!/bin/sh\necho 'etcdmain: listen tcp: address already in use' >&2\nexit 1\n");
    executable(binaries.resolve("kube-apiserver"), "#!/bin/sh\nexec sleep 60\n");
    executable(binaries.resolve("kubectl"), "#!/bin/sh\nexit 0\n");
    try (LocalControlPlane plane = LocalControlPlane.create("x", new KubeBinaries(binaries), folder.resolve("data"))) {
      assertThatThrownBy(plane::start)
          .hasMessageContaining("etcd of control plane x exited with 1")
          .hasMessageContaining("address already in use");
    }
  }

  private static void executable(Path file, String script) throws Exception {
    Files.writeString(file, script);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
