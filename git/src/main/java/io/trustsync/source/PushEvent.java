package io.trustsync.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a GitHub or GitLab push webhook says: the pushed ref, the commit it now points at, and the
 * repository's URLs (HTTPS, SSH, web), so the receiver can find the sources to fetch now.
 */
public record PushEvent(String ref, String after, Set<String> repositoryUrls) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public PushEvent {
    repositoryUrls = Set.copyOf(repositoryUrls);
  }

  /** Reads a GitHub {@code push} or GitLab {@code Push Hook} / {@code Tag Push Hook} payload. */
  public static PushEvent parse(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("push payload is not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.path("ref").isTextual()) {
      throw new IllegalArgumentException("push payload has no 'ref'");
    }
    Set<String> urls = new LinkedHashSet<>();
    // GitHub: repository.{clone_url,ssh_url,html_url,git_url}; GitLab: project.* and repository.*
    for (String holder : new String[] {"repository", "project"}) {
      for (String field : new String[] {"clone_url", "ssh_url", "html_url", "git_url", "url",
          "git_http_url", "git_ssh_url", "web_url", "homepage"}) {
        JsonNode url = root.path(holder).path(field);
        if (url.isTextual() && !url.asText().isBlank()) {
          urls.add(url.asText());
        }
      }
    }
    return new PushEvent(root.path("ref").asText(), root.path("after").asText(null), urls);
  }

  /** The branch pushed to, or null for a tag push. */
  public String branch() {
    return ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : null;
  }

  public boolean isTag() {
    return ref.startsWith("refs/tags/");
  }

  /**
   * Whether this push is to the repository at {@code sourceUrl}, whichever of its URLs the source
   * uses: https://host/org/repo.git, ssh://git@host/org/repo and git@host:org/repo are the same.
   */
  public boolean concerns(String sourceUrl) {
    String wanted = repositoryIdentity(sourceUrl);
    return wanted != null && repositoryUrls.stream().map(PushEvent::repositoryIdentity).anyMatch(wanted::equals);
  }

  /** host/path in lower case, without scheme, user, port, ".git" or trailing slash. */
  static String repositoryIdentity(String url) {
    String hostAndPath;
    if (url.matches("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/].*")) {
      hostAndPath = url.substring(url.indexOf('@') + 1).replaceFirst(":", "/");
    } else {
      try {
        URI uri = URI.create(url);
        if (uri.getHost() == null) {
          return null;
        }
        hostAndPath = uri.getHost() + uri.getPath();
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return hostAndPath.toLowerCase(Locale.ROOT).replaceAll("/+$", "").replaceAll("\\.git$", "");
  }
}
