package io.trustsync.source;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Which commit of a repository to use: exactly one of a branch, a tag, a semver range or a commit. */
public sealed interface GitRef {

  GitRef DEFAULT = new Branch("main");

  record Branch(String name) implements GitRef {
    public Branch {
      requireText(name, "branch");
    }
  }

  record Tag(String name) implements GitRef {
    public Tag {
      requireText(name, "tag");
    }
  }

  /** The highest tag (optionally prefixed {@code v}) whose version matches the range. */
  record SemVer(String range) implements GitRef {
    public SemVer {
      SemverRange.parse(range); // fail when the source is described, not at every fetch
    }
  }

  /** A full commit id: short ids are ambiguous and cannot be fetched from a server. */
  record Commit(String sha) implements GitRef {
    private static final Pattern FULL_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    public Commit {
      if (sha == null || !FULL_ID.matcher(sha).matches()) {
        throw new IllegalArgumentException("commit must be a full lowercase hex commit id, got '" + sha + "'");
      }
    }
  }

  /**
   * The ref a PolicySource spec describes with four optional fields: none set means branch
   * {@code main}, more than one set is a mistake the user must correct.
   */
  static GitRef of(String branch, String tag, String semver, String commit) {
    List<GitRef> set = new ArrayList<>();
    if (branch != null && !branch.isBlank()) set.add(new Branch(branch));
    if (tag != null && !tag.isBlank()) set.add(new Tag(tag));
    if (semver != null && !semver.isBlank()) set.add(new SemVer(semver));
    if (commit != null && !commit.isBlank()) set.add(new Commit(commit));
    if (set.size() > 1) {
      throw new IllegalArgumentException("set only one of branch, tag, semver and commit; got " + set);
    }
    return set.isEmpty() ? DEFAULT : set.getFirst();
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank() || value.contains("..") || value.startsWith("-")) {
      throw new IllegalArgumentException(what + " name '" + value + "' is not a valid ref name");
    }
  }
}
