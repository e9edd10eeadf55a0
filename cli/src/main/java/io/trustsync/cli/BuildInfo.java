package io.trustsync.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** The version and Git commit the running jar was built from (its manifest), or "development build". */
public record BuildInfo(String version, String commit, boolean modified) {
  static final String DEVELOPMENT = "development build";

  private static final BuildInfo CURRENT = read();

  public static BuildInfo current() {
    return CURRENT;
  }

  /** "0.1.0 (commit 0123abcd…)", "0.1.0 (commit 0123abcd…, modified)", or "development build". */
  public String describe() {
    if (version == null) {
      return DEVELOPMENT;
    }
    if (commit == null) {
      return version;
    }
    return version + " (commit " + commit + (modified ? ", with uncommitted changes" : "") + ")";
  }

  private static BuildInfo read() {
    String version = BuildInfo.class.getPackage().getImplementationVersion();
    if (version == null) {
      return new BuildInfo(null, null, false);
    }
    CodeSource source = BuildInfo.class.getProtectionDomain().getCodeSource();
    if (source == null) {
      return new BuildInfo(version, null, false);
    }
    try {
      Path jar = Path.of(source.getLocation().toURI());
      if (!Files.isRegularFile(jar)) {
        return new BuildInfo(version, null, false);
      }
      try (JarFile file = new JarFile(jar.toFile(), false)) {
        Manifest manifest = file.getManifest();
        if (manifest == null) {
          return new BuildInfo(version, null, false);
        }
        Attributes main = manifest.getMainAttributes();
        String commit = main.getValue("TrustSync-Commit");
        boolean known = commit != null && commit.matches("[0-9a-f]{40}");
        return new BuildInfo(version, known ? commit : null, known && "true".equals(main.getValue("TrustSync-Commit-Modified")));
      }
    } catch (IOException | URISyntaxException | SecurityException e) {
      return new BuildInfo(version, null, false);
    }
  }
}
