package io.trustsync.registry;

import java.util.regex.Pattern;

/**
 * {@code registry/repository[:tag|@digest]}, as notation and the trust policy's registry scopes
 * name artifacts. The registry part is whatever precedes the first '/'; it must look like a host
 * (a dot, a colon or "localhost"), as Docker's reference grammar requires, so "library/nginx" is
 * refused rather than guessed.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
  private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");

  public static ImageReference parse(String text) {
    int slash = text.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("'" + text + "' names no registry: write registry/repository, e.g. acme.azurecr.io/storefront/web");
    }
    String registry = text.substring(0, slash);
    if (!registry.contains(".") && !registry.contains(":") && !registry.equals("localhost")) {
      throw new IllegalArgumentException("'" + registry + "' in '" + text + "' is not a registry host (no '.', ':' or localhost):"
          + " write the registry in full, e.g. docker.io/" + text);
    }
    String rest = text.substring(slash + 1);
    String digest = null;
    String tag = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw new IllegalArgumentException("'" + digest + "' in '" + text + "' is not a sha256 or sha512 digest");
      }
    }
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException("'" + tag + "' in '" + text + "' is not a valid tag");
      }
    }
    if (!REPOSITORY.matcher(rest).matches()) {
      throw new IllegalArgumentException("'" + rest + "' in '" + text + "' is not a repository name (lowercase letters, digits, '.', '_', '-', '/')");
    }
    return new ImageReference(registry, rest, tag, digest);
  }

  /** Whether {@code name} is a valid tag (the distribution spec's grammar). */
  public static boolean isTag(String name) {
    return name != null && TAG.matcher(name).matches();
  }

  /** The tag clients push for a registry without the referrers API ({@code sha256-<hex>}): an index of signatures, not an image. */
  public static boolean isReferrersTag(String name) {
    return name.matches("sha256-[a-f0-9]{64}");
  }

  /** registry/repository: what a trust policy's registryScopes name. */
  public String scope() {
    return registry + "/" + repository;
  }

  public ImageReference withDigest(String digest) {
    return new ImageReference(registry, repository, null, digest);
  }

  @Override
  public String toString() {
    return scope() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
