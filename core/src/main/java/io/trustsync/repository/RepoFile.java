package io.trustsync.repository;

/** A regular file read from the policy repository; {@code path} is relative, with '/' separators. */
public record RepoFile(String path, byte[] content) {
  public String fileName() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
