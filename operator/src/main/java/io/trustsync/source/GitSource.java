package io.trustsync.source;

import java.util.regex.Pattern;

/**
 * What to fetch: a repository URL, which commit of it, how to authenticate, an optional private
 * CA (PEM) for HTTPS, the folder of the repository that holds the policy repository, and the
 * keys whose commit signatures are trusted (ASCII-armored PGP public keys and/or SSH public key
 * lines; empty when commits are not verified).
 */
public record GitSource(String url, GitRef ref, GitAuth auth, String caPem, String path, String trustedKeys) {

  private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/].*");

  public GitSource {
    if (url == null || !(url.startsWith("https://") || url.startsWith("http://") || url.startsWith("ssh://")
        || url.startsWith("file://") || SCP_LIKE.matcher(url).matches())) {
      throw new IllegalArgumentException(
          "URL '" + url + "' is not https://, http://, ssh://, file:// or git@host:path");
    }
    ref = ref == null ? GitRef.DEFAULT : ref;
    auth = auth == null ? GitAuth.NONE : auth;
    caPem = caPem == null || caPem.isBlank() ? null : caPem;
    path = normalisePath(path);
    trustedKeys = trustedKeys == null ? "" : trustedKeys;
  }

  public static GitSource of(String url) {
    return new GitSource(url, null, null, null, null, null);
  }

  public GitSource withRef(GitRef newRef) {
    return new GitSource(url, newRef, auth, caPem, path, trustedKeys);
  }

  public GitSource withAuth(GitAuth newAuth) {
    return new GitSource(url, ref, newAuth, caPem, path, trustedKeys);
  }

  public GitSource withCaPem(String newCaPem) {
    return new GitSource(url, ref, auth, newCaPem, path, trustedKeys);
  }

  public GitSource withPath(String newPath) {
    return new GitSource(url, ref, auth, caPem, newPath, trustedKeys);
  }

  public GitSource withTrustedKeys(String newTrustedKeys) {
    return new GitSource(url, ref, auth, caPem, path, newTrustedKeys);
  }

  public boolean isSsh() {
    return isSsh(url);
  }

  private static boolean isSsh(String url) {
    return url.startsWith("ssh://") || SCP_LIKE.matcher(url).matches();
  }

  /**
   * The URL without a password or token someone wrote into it, for messages and logs. An SSH
   * user name (git@) is no secret and stays; HTTP user info is dropped whole, as tokens are
   * often written there without a colon.
   */
  public String displayUrl() {
    return url.startsWith("ssh://")
        ? url.replaceFirst("^ssh://([^/:@]*)(:[^/@]*)?@", "ssh://$1@")
        : url.replaceFirst("^([a-z]+://)[^/@]*@", "$1");
  }

  private static String normalisePath(String path) {
    String trimmed = path == null ? "" : path.replace('\\', '/').replaceAll("^/+|/+$", "");
    for (String part : trimmed.split("/")) {
      if (part.equals("..") || part.equals(".")) {
        throw new IllegalArgumentException("path '" + path + "' must stay inside the repository");
      }
    }
    return trimmed;
  }
}
