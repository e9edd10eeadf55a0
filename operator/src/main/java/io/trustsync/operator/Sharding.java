package io.trustsync.operator;

/**
 * Sharding across replicas for fleets beyond one process, as Flux and Argo CD do it: a replica
 * started with {@code --shard KEY} owns only the MemberClusters labelled
 * {@code sharding.trustsync.io/key: KEY} and their targets, under a Lease of its own; the default
 * shard (no {@code --shard}) owns the unlabelled ones and coordinates: it fetches sources and
 * turns distributions into targets for every shard.
 */
public record Sharding(String key) {
  public static final String LABEL = "sharding.trustsync.io/key";
  public static final Sharding DEFAULT = new Sharding(null);

  public boolean coordinator() {
    return key == null;
  }

  /** The label selector of what this shard owns. */
  public String selector() {
    return key == null ? "!" + LABEL : LABEL + "=" + key;
  }

  /** The leader-election Lease of this shard. */
  public String leaseName(String base) {
    return key == null ? base : base + "-" + key;
  }
}
