package io.trustsync.rendering;

import io.trustsync.findings.Finding;
import java.util.List;

/** The objects one environment renders to under one profile, and what the profile could not express. */
public record Rendering(Profile profile, List<RenderedObject> objects, List<Finding> warnings) {
  public Rendering {
    objects = List.copyOf(objects);
    warnings = List.copyOf(warnings);
  }

  public String toYaml() {
    return ManifestWriter.yaml(objects);
  }
}
