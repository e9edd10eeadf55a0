package io.trustsync.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

/**
 * Serves Git's smart HTTP protocol by running the real {@code git http-backend} as a CGI program
 * for each request, after checking the repository's credentials (basic auth or bearer token).
 */
final class GitHttpBackend implements HttpHandler {

  private final Path root;
  private final Function<String, LocalGitRepository> repositories;
  private final Path log;

  GitHttpBackend(Path root, Function<String, LocalGitRepository> repositories, Path log) {
    this.root = root;
    this.repositories = repositories;
    this.log = log;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
      String first = path.replaceFirst("^/", "").split("/", 2)[0];
      LocalGitRepository repository = repositories.apply(first.replaceFirst("\\.git$", ""));
      if (repository == null || path.contains("..")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      String user = authenticate(repository, exchange.getRequestHeaders().getFirst("Authorization"));
      if (user == null) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"trustsync\"");
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      runBackend(exchange, path, user);
    }
  }

  /** The user name for REMOTE_USER, "" for an open repository, null when refused. */
  private static String authenticate(LocalGitRepository repository, String authorization) {
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded =
          new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon > 0 && repository.acceptsPassword(decoded.substring(0, colon), decoded.substring(colon + 1))) {
        return decoded.substring(0, colon);
      }
    } else if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      if (repository.acceptsToken(authorization.substring(7).trim())) {
        return "token";
      }
    }
    return repository.open() ? "" : null;
  }

  private void runBackend(HttpExchange exchange, String path, String user) throws IOException {
    ProcessBuilder cgi = new ProcessBuilder("git", "http-backend");
    Map<String, String> env = cgi.environment();
    env.put("HOME", root.toString()); // the user's ~/.gitconfig must not change the server
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_PROJECT_ROOT", root.toString());
    env.put("GIT_HTTP_EXPORT_ALL", "1");
    env.put("PATH_INFO", path);
    env.put("REQUEST_METHOD", exchange.getRequestMethod());
    env.put("QUERY_STRING", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
    env.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
    env.put("REMOTE_USER", user); // http-backend allows receive-pack only for an authenticated user
    var headers = exchange.getRequestHeaders();
    putIfPresent(env, "CONTENT_TYPE", headers.getFirst("Content-Type"));
    putIfPresent(env, "CONTENT_LENGTH", headers.getFirst("Content-Length"));
    putIfPresent(env, "HTTP_CONTENT_ENCODING", headers.getFirst("Content-Encoding"));
    putIfPresent(env, "GIT_PROTOCOL", headers.getFirst("Git-Protocol"));
    cgi.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process process = cgi.start();
    try {
      // Feed the body on its own thread: the backend may answer before it has read all of it.
      Thread feeder = Thread.ofVirtual().start(() -> {
        try (InputStream body = exchange.getRequestBody(); OutputStream stdin = process.getOutputStream()) {
          body.transferTo(stdin);
        } catch (IOException ignored) {
          // the backend closed its input early; its response says why
        }
      });
      InputStream stdout = process.getInputStream();
      int status = 200;
      for (String line = readLine(stdout); line != null && !line.isEmpty(); line = readLine(stdout)) {
        int colon = line.indexOf(':');
        String name = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Status")) {
          status = Integer.parseInt(value.split(" ", 2)[0]);
        } else {
          exchange.getResponseHeaders().add(name, value);
        }
      }
      exchange.sendResponseHeaders(status, status == 204 || status == 304 ? -1 : 0);
      try (OutputStream out = exchange.getResponseBody()) {
        stdout.transferTo(out);
      }
      feeder.join();
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      process.destroy();
    }
  }

  private static void putIfPresent(Map<String, String> env, String name, String value) {
    if (value != null) {
      env.put(name, value);
    }
  }

  /** One CGI header line (LF or CRLF), null at end of stream. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b == -1) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
