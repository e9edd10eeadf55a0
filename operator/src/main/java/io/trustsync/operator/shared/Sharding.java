package io.trustsync.operator.shared;

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
  private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?");

  public Sharding {
    if (key != null && !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("shard key '" + key + "' must be 1-40 lower-case letters, digits or '-', starting and ending"
          + " with a letter or digit (it is a label value and part of the Lease name)");
    }
  }

  public boolean coordinator() {
    return key == null;
  }

  /** The label selector of what this shard owns. */
  public String selector() {
    return key == null ? "!" + LABEL : LABEL + "=" + key;
  }

  /** How this replica names itself to member API servers (their audit logs show which shard wrote). */
  public String userAgent() {
    return key == null ? "trustsync-operator" : "trustsync-operator/shard-" + key;
  }

  /** The leader-election Lease of this shard. */
  public String leaseName(String base) {
    return key == null ? base : base + "-" + key;
  }
}
