package io.trustsync.truststore;

import io.trustsync.truststore.TestCertificates.Issued;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes a policy repository (PRODUCT.md §1) into a test's temporary folder, with certificates
 * made at test time by {@link TestCertificates}, so repository fixtures never expire.
 */
public final class TestRepository {
  private final Path root;

  public TestRepository(Path root) {
    this.root = root;
  }

  /**
   * A repository that validates with no error: a shared {@code ca:acme-root} store and one
   * environment, {@code production}, whose single strict statement uses it.
   */
  public static TestRepository valid(Path root) {
    return new TestRepository(root)
        .sharedStore("ca", "acme-root", TestCertificates.root("Acme Root CA").issue())
        .policy("production", policy(statement("acme-images", "registry.acme.example/app", "strict", "ca:acme-root")));
  }

  /** Names that YAML readers take for something other than a string when written unquoted. */
  public static final java.util.List<String> AWKWARD_NAMES =
      java.util.List.of("0o17", "2026-12-01", "12:30:00", "<<", "=", "yes", "null", "0x1F", "1e3", "~", "on");

  /**
   * A valid repository whose statements are named {@link #AWKWARD_NAMES}, one scope each, and whose
   * store folders are named the same wherever a folder name may be ({@code 0o17}, {@code yes}...).
   */
  public static TestRepository awkwardNames(Path root) {
    TestRepository repository = new TestRepository(root);
    java.util.List<String> statements = new java.util.ArrayList<>();
    int i = 0;
    for (String name : AWKWARD_NAMES) {
      String store = name.matches("[a-zA-Z0-9_.-]+") ? name : "store-" + i;
      repository.sharedStore("ca", store, TestCertificates.root("Root " + i).issue());
      statements.add(statement(name, "registry.acme.example/app" + i, "strict", "ca:" + store));
      i++;
    }
    return repository.policy("production", policy(statements.toArray(String[]::new)));
  }

  public Path root() {
    return root;
  }

  public Path path(String relative) {
    return root.resolve(relative);
  }

  public TestRepository file(String relative, byte[] content) {
    try {
      Path file = root.resolve(relative);
      Files.createDirectories(file.getParent());
      Files.write(file, content);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public TestRepository file(String relative, String content) {
    return file(relative, content.getBytes(StandardCharsets.UTF_8));
  }

  public TestRepository directory(String relative) {
    try {
      Files.createDirectories(root.resolve(relative));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code environments/<environment>/trustpolicy.json}. */
  public TestRepository policy(String environment, String json) {
    return file("environments/" + environment + "/trustpolicy.json", json);
  }

  /** {@code truststore/x509/<type>/<name>/}, one PEM file per certificate. */
  public TestRepository sharedStore(String type, String name, Issued... certificates) {
    return certificates("truststore/x509/" + type + "/" + name, certificates);
  }

  /** {@code environments/<environment>/truststore/x509/<type>/<name>/}. */
  public TestRepository store(String environment, String type, String name, Issued... certificates) {
    return certificates("environments/" + environment + "/truststore/x509/" + type + "/" + name, certificates);
  }

  private TestRepository certificates(String folder, Issued... certificates) {
    directory(folder);
    for (int i = 0; i < certificates.length; i++) {
      file(folder + "/certificate-" + i + ".pem", certificates[i].pem());
    }
    return this;
  }

  /** A trust policy document around the given statements. */
  public static String policy(String... statements) {
    return """
        {
          "version": "1.0",
          "trustPolicies": [
        %s
          ]
        }
        """.formatted(String.join(",\n", statements));
  }

  /** One statement trusting any identity ("*") issued under the given stores. */
  public static String statement(String name, String scope, String level, String... stores) {
    return statement(name, scope, level, Arrays.asList(stores), "*");
  }

  public static String statement(String name, String scope, String level, java.util.List<String> stores, String... identities) {
    if (level.equals("skip")) {
      return """
              {"name": "%s", "registryScopes": ["%s"], "signatureVerification": {"level": "skip"}}"""
          .formatted(name, scope);
    }
    return """
            {
              "name": "%s",
              "registryScopes": ["%s"],
              "signatureVerification": {"level": "%s"},
              "trustStores": [%s],
              "trustedIdentities": [%s]
            }"""
        .formatted(name, scope, level, quoted(stores), quoted(Arrays.asList(identities)));
  }

  private static String quoted(java.util.List<String> values) {
    return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(", "));
  }
}
