package io.trustsync.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.testing.ProjectFolder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same sources, same image: a second build of the image, from a copy of the checkout (its files,
 * symbolic links as links, without what .gitignore ignores, and its Git metadata, so the commit and
 * whether the tree was modified are the same) in another folder, with nothing of the first build's
 * output, gives the digest of the image the main build made.
 */
class ImageReproducibleIT {
  @Test
  void aSecondBuildFromTheSameSourcesGivesTheSameDigest(@TempDir Path work) throws Exception {
    Path root = ProjectFolder.root();
    String expected = Files.readString(root.resolve("image/target/jib-image.digest")).strip();
    Path copy = work.resolve("checkout");
    for (String file : run(root, List.of("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")).split("\0")) {
      if (file.isEmpty() || !Files.exists(root.resolve(file), LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      Path target = copy.resolve(file);
      Files.createDirectories(target.getParent());
      // symbolic links as links (the chart's files/ point into crds/ and manifests/), so the copy is as clean as the checkout
      Files.copy(root.resolve(file), target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    }
    run(root, List.of("cp", "-a", root.resolve(".git").toString(), copy.resolve(".git").toString()));

    // Offline: the main build resolved every plugin and dependency already.
    run(copy, List.of("./mvnw", "-o", "-q", "-B", "-ntp", "package", "-DskipTests", "-pl", "image", "-am"));

    assertThat(Files.readString(copy.resolve("image/target/jib-image.digest")).strip()).isEqualTo(expected);
  }

  private static String run(Path directory, List<String> command) throws Exception {
    Path log = Files.createTempFile("image-build", ".log");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      Process process = builder.start();
      boolean finished = process.waitFor(15, TimeUnit.MINUTES);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      if (!finished) {
        process.destroyForcibly();
      }
      assertThat(finished && process.exitValue() == 0).as("%s in %s:\n%s", command, directory, output).isTrue();
      return output;
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
