package io.trustsync.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CNCF Distribution registry (scripts/registry-cli.sh builds it from the Go module proxy), or
 * olareg, which has the OCI 1.1 referrers API that Distribution lacks (scripts/referrers-registry.sh),
 * on loopback over TLS, with a certificate from its own CA: a real OCI registry to push images to.
 */
public final class LocalRegistry implements AutoCloseable {
  private final Process process;
  private final String host;
  private final CertificateAuthority authority;
  private final Path caFile;

  private LocalRegistry(Process process, String host, CertificateAuthority authority, Path caFile) {
    this.process = process;
    this.host = host;
    this.authority = authority;
    this.caFile = caFile;
  }

  /** Starts the registry binary with its storage and configuration under {@code work}; returns once /v2/ answers. */
  public static LocalRegistry start(Path binary, Path work) {
    return start(work, (host, certificate, key) -> {
      Path config = Files.writeString(work.resolve("config.yml"), """
          version: 0.1
          log:
            level: warn
          storage:
            filesystem:
              rootdirectory: %s
          http:
            addr: %s
            tls:
              certificate: %s
              key: %s
          """.formatted(work.resolve("storage"), host, certificate, key));
      return List.of(binary.toString(), "serve", config.toString());
    });
  }

  /**
   * Starts the referrers registry (scripts/referrers-registry.sh builds it: olareg, with the OCI 1.1
   * referrers API) with its storage under {@code work}, on the same terms as {@link #start}: its
   * own flags instead of a configuration file; returns once /v2/ answers.
   */
  public static LocalRegistry startReferrers(Path binary, Path work) {
    return start(work, (host, certificate, key) -> List.of(binary.toString(), "-addr", host, "-cert", certificate.toString(),
        "-key", key.toString(), "-dir", work.resolve("storage").toString()));
  }

  /** The command line that serves on {@code host} with the certificate and key given. */
  private interface Command {
    List<String> of(String host, Path certificate, Path key) throws IOException;
  }

  private static LocalRegistry start(Path work, Command command) {
    try {
      Files.createDirectories(work);
      CertificateAuthority authority = CertificateAuthority.create("trustsync-registry-ca");
      CertificateAuthority.IssuedCertificate serving = authority.issueServer("127.0.0.1");
      Path certificate = Files.writeString(work.resolve("registry.crt"), serving.certificatePem());
      Path key = Files.writeString(work.resolve("registry.key"), serving.privateKeyPem());
      Path caFile = Files.writeString(work.resolve("ca.crt"), authority.certificatePem());
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      String host = "127.0.0.1:" + port;
      Process process = new ProcessBuilder(command.of(host, certificate, key)).redirectErrorStream(true)
          .redirectOutput(work.resolve("registry.log").toFile()).start();
      LocalRegistry registry = new LocalRegistry(process, host, authority, caFile);
      registry.awaitReady(work.resolve("registry.log"));
      return registry;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady(Path log) throws IOException {
    HttpClient client = HttpClient.newBuilder().sslContext(authority.sslContext(null)).connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the registry exited " + process.exitValue() + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      try {
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create("https://" + host + "/v2/")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("the registry did not answer on https://" + host + "/v2/ within 30 s:\n" + Files.readString(log));
  }

  /** A TLS context that trusts the registry's CA: for clients in this JVM. */
  public javax.net.ssl.SSLContext sslContext() {
    return authority.sslContext(null);
  }

  /**
   * Pushes a minimal OCI image (an empty config and one layer holding {@code content}) as
   * {@code repository:tag}, through the registry's own upload API; returns the manifest digest.
   * Each blob goes up as POST then PUT ?digest=, which both registries take; the upload's Location
   * may be absolute (Distribution) or a path (olareg), with a query of its own either way.
   */
  public String pushImage(String repository, String tag, String content) {
    HttpClient client = HttpClient.newBuilder().sslContext(sslContext()).build();
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    byte[] layer = content.getBytes(StandardCharsets.UTF_8);
    String configDigest = upload(client, repository, config);
    String layerDigest = upload(client, repository, layer);
    String manifest = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",        "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},        "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}"""
        .formatted(configDigest, config.length, layerDigest, layer.length);
    byte[] body = manifest.getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> put = send(client, HttpRequest.newBuilder(URI.create("https://" + host + "/v2/" + repository + "/manifests/" + tag))
        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    if (put.statusCode() != 201) {
      throw new IllegalStateException("pushing the manifest of " + repository + ":" + tag + " failed: " + put.statusCode() + " " + put.body());
    }
    return digest(body);
  }

  private String upload(HttpClient client, String repository, byte[] blob) {
    String digest = digest(blob);
    HttpResponse<String> start = send(client, HttpRequest.newBuilder(URI.create("https://" + host + "/v2/" + repository + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    if (start.statusCode() != 202) {
      throw new IllegalStateException("starting an upload to " + repository + " failed: " + start.statusCode() + " " + start.body());
    }
    String location = start.headers().firstValue("Location").orElseThrow();
    URI target = URI.create(location.startsWith("/") ? "https://" + host + location : location);
    String separator = target.getRawQuery() == null ? "?" : "&";
    HttpResponse<String> done = send(client, HttpRequest.newBuilder(URI.create(target + separator + "digest=" + digest))
        .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build());
    if (done.statusCode() != 201) {
      throw new IllegalStateException("uploading a blob to " + repository + " failed: " + done.statusCode() + " " + done.body());
    }
    return digest;
  }

  private static HttpResponse<String> send(HttpClient client, HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String digest(byte[] body) {
    try {
      return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** host:port, as image references name it. */
  public String host() {
    return host;
  }

  /** The CA that signed the registry's certificate, as a PEM file (for SSL_CERT_FILE or --cert-dir). */
  public Path certificateAuthorityFile() {
    return caFile;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
