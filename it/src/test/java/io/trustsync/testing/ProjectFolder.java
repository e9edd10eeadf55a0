package io.trustsync.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root folder, found from wherever the build runs the tests. */
public final class ProjectFolder {

  private ProjectFolder() {}

  public static Path root() {
    for (Path folder = Path.of("").toAbsolutePath(); folder != null; folder = folder.getParent()) {
      if (Files.exists(folder.resolve("scripts/kube-binaries.sh"))) {
        return folder;
      }
    }
    throw new IllegalStateException("no scripts/kube-binaries.sh above " + Path.of("").toAbsolutePath());
  }
}
