package io.trustsync.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.local.LocalNotation;
import io.trustsync.local.LocalRegistry;
import io.trustsync.testing.ProjectFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real registry (CNCF Distribution) with five images signed by the real notation CLI with two
 * teams' test keys, in JWS and COSE, and a production environment that trusts both teams' roots
 * and expects team A on storefront and team B on payments:
 * <ul>
 *   <li>storefront/web: team A (JWS) and team B (COSE): team B is unexpected there;
 *   <li>storefront/cart: team A (COSE);
 *   <li>storefront/legacy: unsigned;
 *   <li>payments/api: team B (JWS);
 *   <li>payments/batch: team A (JWS), which payments does not trust: fails the policy.
 * </ul>
 */
public final class SignedImages implements AutoCloseable {
  public static final String TEAM_A = "CN=team-a,O=Notary,L=Seattle,ST=WA,C=US";
  public static final String TEAM_B = "CN=team-b,O=Notary,L=Seattle,ST=WA,C=US";

  public final LocalRegistry registry;
  public final LocalNotation notation;
  /** repository -> digest. */
  public final Map<String, String> images = new LinkedHashMap<>();
  final Path teamACertificate;
  final Path teamBCertificate;

  private SignedImages(LocalRegistry registry, LocalNotation notation, Path teamA, Path teamB) {
    this.registry = registry;
    this.notation = notation;
    this.teamACertificate = teamA;
    this.teamBCertificate = teamB;
  }

  public static SignedImages create(Path work) throws Exception {
    LocalRegistry registry = LocalRegistry.start(Path.of(tool("scripts/registry-cli.sh")), work.resolve("registry"));
    LocalNotation notation = new LocalNotation(Path.of(tool("scripts/notation-cli.sh")), work.resolve("notation-home"),
        registry.certificateAuthorityFile());
    SignedImages signed = new SignedImages(registry, notation, notation.generateTestKey("team-a"), notation.generateTestKey("team-b"));
    signed.images.put("storefront/web", registry.pushImage("storefront/web", "1.0", "web"));
    signed.images.put("storefront/cart", registry.pushImage("storefront/cart", "3.2", "cart"));
    signed.images.put("storefront/legacy", registry.pushImage("storefront/legacy", "0.9", "legacy"));
    signed.images.put("payments/api", registry.pushImage("payments/api", "2.1", "api"));
    signed.images.put("payments/batch", registry.pushImage("payments/batch", "1.4", "batch"));
    signed.sign("team-a", "jws", "storefront/web");
    signed.sign("team-b", "cose", "storefront/web");
    signed.sign("team-a", "cose", "storefront/cart");
    signed.sign("team-b", "jws", "payments/api");
    signed.sign("team-a", "jws", "payments/batch");
    return signed;
  }

  private void sign(String key, String format, String repository) {
    LocalNotation.Run run = notation.sign(key, format, registry.host() + "/" + repository + "@" + images.get(repository));
    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  public String reference(String repository) {
    return registry.host() + "/" + repository + "@" + images.get(repository);
  }

  /** The production environment's files, path -> content, as a policy repository holds them. */
  public Map<String, String> productionFiles() throws IOException {
    return productionFiles(registry.host());
  }

  /** The same, with the registry named {@code host} (a front such as ACR's before the same images). */
  public Map<String, String> productionFiles(String host) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("environments/production/truststore/x509/ca/team-a/team-a.crt", Files.readString(teamACertificate, StandardCharsets.UTF_8));
    files.put("environments/production/truststore/x509/ca/team-b/team-b.crt", Files.readString(teamBCertificate, StandardCharsets.UTF_8));
    files.put("environments/production/trustpolicy.json", """
        {
          "version": "1.0",
          "trustPolicies": [
            {
              "name": "storefront",
              "registryScopes": ["%1$s/storefront/web", "%1$s/storefront/cart", "%1$s/storefront/legacy"],
              "signatureVerification": {"level": "strict"},
              "trustStores": ["ca:team-a", "ca:team-b"],
              "trustedIdentities": ["*"]
            },
            {
              "name": "payments",
              "registryScopes": ["%1$s/payments/api", "%1$s/payments/batch"],
              "signatureVerification": {"level": "strict"},
              "trustStores": ["ca:team-b"],
              "trustedIdentities": ["x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=team-b"]
            }
          ]
        }
        """.formatted(host));
    files.put("environments/production/expected-signers.yaml", """
        expectedSigners:
        - repositories: ["%1$s/storefront/*"]
          identities: ["x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=team-a"]
        - repositories: ["%1$s/payments/*"]
          identities: ["x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=team-b"]
        """.formatted(host));
    return files;
  }

  /** Writes the policy repository under {@code root}. */
  public void writePolicyRepository(Path root) throws IOException {
    for (Map.Entry<String, String> file : productionFiles().entrySet()) {
      Path path = root.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue());
    }
  }

  /** Runs one of the project's tool scripts (which build the tool once) and returns the path it prints. */
  public static String tool(String script) throws Exception {
    Process process = new ProcessBuilder("bash", ProjectFolder.root().resolve(script).toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor()).as(script).isZero();
    return out;
  }

  @Override
  public void close() {
    registry.close();
  }
}
