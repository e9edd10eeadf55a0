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
      throw new IllegalArgumentException("URL '" + (url == null ? "" : redact(url))
          + "' is not https://, ssh:// or git@host:path");
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
   * often written there without a colon; a query string (?private_token=...) and a fragment
   * become {@code ?redacted}.
   */
  public String displayUrl() {
    return redact(url);
  }

  private static String redact(String url) {
    String shown = url.startsWith("ssh://")
        ? url.replaceFirst("^ssh://([^/:@]*)(:[^/@]*)?@", "ssh://$1@")
        : url.replaceFirst("^([a-z]+://)[^/@]*@", "$1");
    return shown.replaceFirst("[?#].*$", "?redacted");
  }

  /** Host name (or bracketed IPv6 literal) the URL connects to; null for file:// URLs. */
  public String host() {
    if (url.startsWith("file://")) {
      return null;
    }
    String rest;
    if (url.contains("://")) {
      rest = url.substring(url.indexOf("://") + 3);
      int end = indexOfAny(rest, "/?#");
      rest = end < 0 ? rest : rest.substring(0, end);
      rest = rest.substring(rest.lastIndexOf('@') + 1);
    } else {
      rest = url.substring(url.indexOf('@') + 1, url.indexOf(':', url.indexOf('@')));
    }
    if (rest.startsWith("[")) {
      return rest.substring(0, rest.indexOf(']') + 1);
    }
    int colon = rest.indexOf(':');
    return (colon < 0 ? rest : rest.substring(0, colon)).toLowerCase(java.util.Locale.ROOT);
  }

  /** Credentials from a Secret, or user info with a password or token in an http(s) URL. */
  public boolean hasCredentials() {
    if (!(auth instanceof GitAuth.None)) {
      return true;
    }
    if (url.startsWith("http://") || url.startsWith("https://")) {
      String rest = url.substring(url.indexOf("://") + 3);
      int end = indexOfAny(rest, "/?#");
      return (end < 0 ? rest : rest.substring(0, end)).contains("@") || url.contains("?");
    }
    return false;
  }

  private static int indexOfAny(String text, String chars) {
    for (int i = 0; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
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
