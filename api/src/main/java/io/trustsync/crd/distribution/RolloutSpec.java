package io.trustsync.crd.distribution;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/** A staged roll-out: a new accepted revision reaches the selected clusters stage by stage (docs/rollout.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {
  @Required
  @JsonPropertyDescription("Ordered stages. A cluster belongs to the first stage whose selector matches it; a stage without a"
      + " selector takes every selected cluster not taken before. Clusters no stage takes keep the revision they run.")
  public List<Stage> stages = new ArrayList<>();

  @Pattern("^(halt|rollback)$")
  @JsonPropertyDescription("When a cluster fails on the new revision: halt (the roll-out stops where it is) or rollback (the failing"
      + " stage's clusters go back to the revision they ran before). Default: halt.")
  public String onFailure;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Stage {
    @Required
    @JsonPropertyDescription("Name of the stage, unique in the roll-out.")
    public String name;

    @JsonPropertyDescription("Clusters of this stage, by their labels (among those spec.clusterSelector selects).")
    public LabelSelector selector;

    @JsonPropertyDescription("How many clusters of the stage move at once: a count (2) or a percent of the stage (25%). Default: all.")
    public String maxUnavailable;

    @JsonPropertyDescription("How long the next stage waits after every cluster of this one is Synced on the revision, e.g. 1h.")
    public String soak;

    @JsonPropertyDescription("The stage starts only once the revision is approved: annotation trustsync.io/approved-revision"
        + " naming it, as `trustsync rollout approve` sets.")
    public Boolean approval;

    @Pattern(EnforcementSpec.DURATION)
    @JsonPropertyDescription("spec.enforcement.warnFor for the clusters of this stage, e.g. 2d for dev and 14d for production.")
    public String warnFor;
  }
}
