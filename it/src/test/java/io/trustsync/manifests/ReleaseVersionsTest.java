package io.trustsync.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.testing.ProjectFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One version everywhere a release names it: the Maven project (which tags the image), the chart's
 * appVersion, the image the kustomize bases run, and the tags and chart version the install guide
 * and README push and install. A release changes them together or this fails.
 */
class ReleaseVersionsTest {
  static final Path ROOT = ProjectFolder.root();

  @Test
  void theProjectChartManifestsAndGuidesNameTheSameVersions() throws Exception {
    String project = first(Pattern.compile("<artifactId>trustsync-parent</artifactId>\\s*<version>([^<]+)</version>"), read("pom.xml"));
    String chart = read("charts/trustsync/Chart.yaml");
    String chartVersion = first(Pattern.compile("(?m)^version: (\\S+)$"), chart);

    assertThat(first(Pattern.compile("(?m)^appVersion: \"([^\"]+)\"$"), chart)).as("Chart.yaml appVersion").isEqualTo(project);
    for (String deployment : List.of("manifests/hub/deployment.yaml", "manifests/shard/deployment.yaml")) {
      assertThat(first(Pattern.compile("image: ghcr.io/trustsync/trustsync:(\\S+)"), read(deployment))).as(deployment).isEqualTo(project);
    }
    for (String guide : List.of("docs/install.md", "README.md")) {
      Matcher tags = Pattern.compile("trustsync:(\\d+\\.\\d+\\.\\d+[^\\s`\"]*)").matcher(read(guide));
      while (tags.find()) {
        assertThat(tags.group(1)).as("an image tag in %s", guide).isEqualTo(project);
      }
    }
    String install = read("docs/install.md");
    assertThat(install).contains("dist/trustsync-" + chartVersion + ".tgz").contains("--version " + chartVersion);
    Matcher versions = Pattern.compile("--version (\\S+)").matcher(install);
    while (versions.find()) {
      assertThat(versions.group(1)).as("a chart version in docs/install.md").isEqualTo(chartVersion);
    }
  }

  private static String read(String path) throws Exception {
    return Files.readString(ROOT.resolve(path));
  }

  private static String first(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    assertThat(matcher.find()).as(pattern.pattern()).isTrue();
    return matcher.group(1);
  }
}
