package io.trustsync.rendering;

import static io.trustsync.truststore.TestRepository.policy;
import static io.trustsync.truststore.TestRepository.statement;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestCertificates.Issued;
import io.trustsync.truststore.TestRepository;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.findings.Finding;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.validation.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderingTest {
  private static final ValidationOptions OPTIONS = ValidationOptions.at(TestCertificates.NOW);
  /** RFC 1123 subdomain, what Kubernetes requires of object names. */
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static Issued acmeRoot;
  private static Issued tsaRoot;

  @TempDir Path temp;

  @BeforeAll
  static void issue() {
    acmeRoot = TestCertificates.root("Acme Root CA").issue();
    tsaRoot = TestCertificates.root("Acme TSA Root").issue();
  }

  /** A repository whose production environment uses a shared CA store and a local TSA store. */
  private TestRepository repository(String folder, Issued ca, String level) {
    return new TestRepository(temp.resolve(folder))
        .sharedStore("ca", "acme-root", ca)
        .store("production", "tsa", "acme-tsa", tsaRoot)
        .policy("production", policy(
            statement("release", "registry.acme.example/app", level, List.of("ca:acme-root", "tsa:acme-tsa"),
                "x509.subject: C=US, ST=WA, O=Acme, CN=Release"),
            statement("everything-else", "*", "skip")));
  }

  private static AcceptedEnvironment accept(TestRepository repository) throws IOException {
    ValidationReport report = RepositoryValidator.validate(RepositoryReader.read(repository.root()), OPTIONS);
    assertThat(report.findings()).as("the fixture is valid").noneMatch(Finding::isError);
    return report.environments().get("production");
  }

  private static Rendering render(Profile profile, AcceptedEnvironment environment, String revision, String namespace) {
    return profile.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), revision, namespace, Map.of()));
  }

  private static Map<String, String> hashes(Rendering rendering) {
    return rendering.objects().stream().collect(Collectors.toMap(RenderedObject::id, RenderedObject::contentHash));
  }

  @Test
  void rendersTheSameBytesForTheSameInputEvenFromSeparateValidations() throws IOException {
    TestRepository repo = repository("repo", acmeRoot, "strict");
    AcceptedEnvironment first = accept(repo);
    AcceptedEnvironment second = accept(repo);

    for (Profile profile : Profile.values()) {
      String yaml = render(profile, first, "abc123", "gatekeeper-system").toYaml();
      assertThat(render(profile, first, "abc123", "gatekeeper-system").toYaml()).as(profile.id()).isEqualTo(yaml);
      assertThat(render(profile, second, "abc123", "gatekeeper-system").toYaml()).as(profile.id()).isEqualTo(yaml);
    }
  }

  @Test
  void everyObjectCarriesOwnershipLabelsSourceRevisionAndContentHash() throws IOException {
    AcceptedEnvironment production = accept(repository("repo", acmeRoot, "strict"));

    for (Profile profile : Profile.values()) {
      Rendering rendering = render(profile, production, "abc123", null);
      assertThat(rendering.objects()).as(profile.id()).isNotEmpty().allSatisfy(object -> {
        JsonNode metadata = object.manifest().get("metadata");
        assertThat(metadata.at("/labels/app.kubernetes.io~1managed-by").asText()).isEqualTo("trustsync");
        assertThat(metadata.at("/labels/trustsync.io~1environment").asText()).isEqualTo("production");
        assertThat(metadata.at("/labels/trustsync.io~1profile").asText()).isEqualTo(profile.id());
        assertThat(metadata.at("/annotations/trustsync.io~1source-revision").asText()).isEqualTo("abc123");
        assertThat(object.contentHash()).matches("sha256:[0-9a-f]{64}");
        assertThat(object.name()).matches(DNS_SUBDOMAIN);
      });
    }
  }

  @Test
  void contentHashFollowsContentAndIgnoresTheRevision() throws IOException {
    AcceptedEnvironment original = accept(repository("original", acmeRoot, "strict"));
    AcceptedEnvironment newCertificate = accept(repository("certificate", TestCertificates.root("Acme Root CA").issue(), "strict"));
    AcceptedEnvironment newLevel = accept(repository("level", acmeRoot, "audit"));

    for (Profile profile : List.of(Profile.NATIVE, Profile.RATIFY_V1)) {
      Map<String, String> before = hashes(render(profile, original, "rev-1", null));
      assertThat(hashes(render(profile, original, "rev-2", null))).as(profile.id()).isEqualTo(before);
      Map<String, String> certificateChanged = hashes(render(profile, newCertificate, "rev-1", null));
      Map<String, String> levelChanged = hashes(render(profile, newLevel, "rev-1", null));
      assertThat(certificateChanged.keySet()).isEqualTo(before.keySet());
      assertThat(before).allSatisfy((id, hash) -> {
        boolean holdsTheCaCertificate = id.contains("ca-acme-root");
        boolean holdsThePolicy = id.startsWith("TrustPolicy/") || id.startsWith("Verifier/");
        assertThat(certificateChanged.get(id).equals(hash)).as("%s %s after a certificate change", profile.id(), id)
            .isEqualTo(!holdsTheCaCertificate);
        assertThat(levelChanged.get(id).equals(hash)).as("%s %s after a level change", profile.id(), id)
            .isEqualTo(!holdsThePolicy);
      });
    }
  }

  @Test
  void nativeTrustStoreNamesAreDnsNamesAndKeepCaseDistinctStoresApart() throws IOException {
    TestRepository repo = new TestRepository(temp.resolve("repo"))
        .sharedStore("ca", "GlobalSign", acmeRoot)
        .sharedStore("ca", "globalsign", TestCertificates.root("Lowercase Root").issue())
        .sharedStore("ca", "my_store", TestCertificates.root("Underscore Root").issue())
        .sharedStore("signingAuthority", "Release.Signers", TestCertificates.root("Signers Root").issue())
        .sharedStore("ca", "a.-b", TestCertificates.root("Dot Dash Root").issue())
        .sharedStore("ca", "x...y_", TestCertificates.root("Dots Root").issue())
        .policy("production", policy(statement("images", "registry.acme.example/app", "strict",
            "ca:GlobalSign", "ca:globalsign", "ca:my_store", "signingAuthority:Release.Signers", "ca:a.-b", "ca:x...y_")));

    Rendering rendering = render(Profile.NATIVE, accept(repo), "abc123", null);

    List<String> names = rendering.objects().stream().filter(o -> o.kind().equals("TrustStore")).map(RenderedObject::name).toList();
    assertThat(names).hasSize(6).doesNotHaveDuplicates().allSatisfy(name -> {
      assertThat(name).matches(DNS_SUBDOMAIN);
      assertThat(name.length()).isLessThanOrEqualTo(253);
    });
    assertThat(names.get(1)).isEqualTo("production-ca-globalsign");
    assertThat(names.get(0)).startsWith("production-ca-globalsign-");
  }

  @Test
  void ratifyV1RendersAProviderPerStoreAndAVerifierCarryingThePolicy() throws IOException {
    TestRepository repo = repository("repo", acmeRoot, "strict");
    AcceptedEnvironment production = accept(repo);
    JsonNode policyFile = new ObjectMapper().readTree(Files.readString(repo.path("environments/production/trustpolicy.json")));

    for (String namespace : new String[] {null, "gatekeeper-system"}) {
      Rendering rendering = render(Profile.RATIFY_V1, production, "abc123", namespace);

      String prefix = namespace == null ? "" : "Namespaced";
      assertThat(rendering.objects()).extracting(RenderedObject::kind)
          .containsExactly(prefix + "KeyManagementProvider", prefix + "KeyManagementProvider", prefix + "Verifier");
      Map<String, RenderedObject> providers = rendering.objects().subList(0, 2).stream()
          .collect(Collectors.toMap(RenderedObject::name, Function.identity()));
      assertThat(providers.values()).allSatisfy(provider -> {
        assertThat(provider.manifest().at("/spec/type").asText()).isEqualTo("inline");
        assertThat(provider.manifest().at("/spec/parameters/contentType").asText()).isEqualTo("certificate");
      });
      String caProvider = providers.keySet().stream().filter(n -> n.contains("-ca-")).findFirst().orElseThrow();
      String tsaProvider = providers.keySet().stream().filter(n -> n.contains("-tsa-")).findFirst().orElseThrow();
      assertThat(providers.get(caProvider).manifest().at("/spec/parameters/value").asText()).isEqualTo(acmeRoot.pem());
      String ref = namespace == null ? "" : namespace + "/";

      JsonNode verifier = rendering.objects().get(2).manifest();
      assertThat(verifier.at("/spec/name").asText()).isEqualTo("notation");
      JsonNode certStores = verifier.at("/spec/parameters/verificationCertStores");
      assertThat(certStores.at("/ca/acme-root/0").asText()).isEqualTo(ref + caProvider);
      assertThat(certStores.at("/tsa/acme-tsa/0").asText()).isEqualTo(ref + tsaProvider);
      assertThat(certStores.size()).isEqualTo(2);
      assertThat(verifier.at("/spec/parameters/trustPolicyDoc")).isEqualTo(policyFile);
      assertThat(rendering.warnings()).isEmpty();
    }
  }

  @Test
  void ratifyV2RendersAnExecutorPerVerifyingStatementAndWarnsAboutWhatItCannotExpress() throws IOException {
    TestRepository repo = new TestRepository(temp.resolve("repo"))
        .sharedStore("ca", "acme-root", acmeRoot)
        .policy("production", """
            {
              "version": "1.0",
              "trustPolicies": [
                {"name": "plain", "registryScopes": ["r.example/plain"], "signatureVerification": {"level": "strict"},
                 "trustStores": ["ca:acme-root"], "trustedIdentities": ["*"]},
                {"name": "skipped", "registryScopes": ["r.example/skipped"], "signatureVerification": {"level": "skip"}},
                {"name": "audited", "registryScopes": ["r.example/audited"], "signatureVerification": {"level": "audit"},
                 "trustStores": ["ca:acme-root"], "trustedIdentities": ["*"]},
                {"name": "overridden", "registryScopes": ["r.example/overridden"],
                 "signatureVerification": {"level": "strict", "override": {"revocation": "log"}},
                 "trustStores": ["ca:acme-root"], "trustedIdentities": ["*"]},
                {"name": "timestamped", "registryScopes": ["r.example/timestamped"],
                 "signatureVerification": {"level": "strict", "verifyTimestamp": "afterCertExpiry"},
                 "trustStores": ["ca:acme-root"], "trustedIdentities": ["*"]},
                {"name": "identified", "registryScopes": ["r.example/identified"], "signatureVerification": {"level": "strict"},
                 "trustStores": ["ca:acme-root"], "trustedIdentities": ["x509.subject: C=US, ST=WA, O=Acme, CN=Release"]}
              ]
            }
            """);

    Rendering rendering = render(Profile.RATIFY_V2, accept(repo), "abc123", "gatekeeper-system");

    assertThat(rendering.objects()).extracting(RenderedObject::kind).containsOnly("NamespacedExecutor").hasSize(5);
    assertThat(rendering.objects()).extracting(RenderedObject::apiVersion).containsOnly("config.ratify.sh/v2beta1");
    assertThat(rendering.objects()).extracting(o -> o.manifest().at("/spec/scopes/0").asText())
        .containsExactly("r.example/plain", "r.example/audited", "r.example/overridden", "r.example/timestamped", "r.example/identified");
    JsonNode plain = rendering.objects().getFirst().manifest().at("/spec");
    // the shape Ratify v2.0.0-beta.2 loads: inline certificates as an object, a credential provider, the verifier's scopes
    assertThat(plain.at("/verifiers/0/parameters/certificates/0/inline/certs").asText()).isEqualTo(acmeRoot.pem());
    assertThat(plain.at("/verifiers/0/parameters/certificates/0/type").asText()).isEqualTo("ca");
    assertThat(plain.at("/verifiers/0/parameters/scopes").toString()).isEqualTo("[\"r.example/plain\"]");
    assertThat(plain.at("/stores/0/parameters/credential/provider").asText()).isEqualTo("static");
    assertThat(plain.at("/policyEnforcer/parameters/policy/rules/0/verifierName").asText()).isEqualTo("notation");
    // identities are kept, not warned about
    JsonNode identified = rendering.objects().get(4).manifest().at("/spec/verifiers/0/parameters/trustedIdentities");
    assertThat(identified.toString()).isEqualTo("[\"x509.subject: C=US, ST=WA, O=Acme, CN=Release\"]");
    assertThat(rendering.warnings()).extracting(Finding::ruleId, Finding::pointer).containsExactly(
        org.assertj.core.groups.Tuple.tuple("render.ratifyV2.skip", "/trustPolicies/1/signatureVerification/level"),
        org.assertj.core.groups.Tuple.tuple("render.ratifyV2.level", "/trustPolicies/2/signatureVerification/level"),
        org.assertj.core.groups.Tuple.tuple("render.ratifyV2.override", "/trustPolicies/3/signatureVerification/override"),
        org.assertj.core.groups.Tuple.tuple("render.ratifyV2.verifyTimestamp", "/trustPolicies/4/signatureVerification/verifyTimestamp"));
    assertThat(rendering.warnings()).allSatisfy(w -> assertThat(w.file()).isEqualTo("environments/production/trustpolicy.json"));
  }

  @Test
  void ratifyV2GroupsCertificatesByTypeOnceAndLeavesOutTheGlobalScope() throws IOException {
    Issued second = TestCertificates.root("Acme Second Root").issue();
    TestRepository repo = new TestRepository(temp.resolve("repo"))
        .sharedStore("ca", "acme-root", acmeRoot)
        .sharedStore("ca", "acme-second", second)
        .sharedStore("tsa", "acme-tsa", tsaRoot)
        .policy("production", """
            {
              "version": "1.0",
              "trustPolicies": [
                {"name": "two-cas", "registryScopes": ["r.example/app", "r.example/worker"], "signatureVerification": {"level": "strict"},
                 "trustStores": ["ca:acme-root", "ca:acme-second", "tsa:acme-tsa"], "trustedIdentities": ["*"]},
                {"name": "everything", "registryScopes": ["*"], "signatureVerification": {"level": "strict"},
                 "trustStores": ["ca:acme-root"], "trustedIdentities": ["*"]}
              ]
            }
            """);

    Rendering rendering = render(Profile.RATIFY_V2, accept(repo), "abc123", null);

    assertThat(rendering.objects()).extracting(RenderedObject::kind).containsExactly("Executor");
    JsonNode certificates = rendering.objects().getFirst().manifest().at("/spec/verifiers/0/parameters/certificates");
    assertThat(certificates).extracting(c -> c.get("type").asText()).containsExactly("ca", "tsa");
    assertThat(certificates.get(0).at("/inline/certs").asText()).isEqualTo(acmeRoot.pem() + second.pem());
    assertThat(certificates.get(1).at("/inline/certs").asText()).isEqualTo(tsaRoot.pem());
    assertThat(rendering.warnings()).extracting(Finding::ruleId, Finding::pointer).containsExactly(
        org.assertj.core.groups.Tuple.tuple("render.ratifyV2.scope", "/trustPolicies/1/registryScopes/0"),
        org.assertj.core.groups.Tuple.tuple("render.ratifyV2.noScope", "/trustPolicies/1/registryScopes"));
  }

  @Test
  void ratifyV2OptionsChooseTheApiVersionAndTheCredentialProvider() throws IOException {
    AcceptedEnvironment environment = accept(repository("repo", acmeRoot, "strict"));
    ProfileOptions options = ProfileOptions.parse("config.ratify.sh/v2alpha1", "azure", Map.of("clientID", "00000000-0000-0000-0000-000000000001")).options();
    Rendering rendering = Profile.RATIFY_V2.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), "abc", null, Map.of(), options));

    assertThat(rendering.objects().getFirst().apiVersion()).isEqualTo("config.ratify.sh/v2alpha1");
    assertThat(rendering.objects().getFirst().manifest().at("/spec/stores/0/parameters/credential").toString())
        .isEqualTo("{\"clientID\":\"00000000-0000-0000-0000-000000000001\",\"provider\":\"azure\"}");
    assertThat(ProfileOptions.parse("config.ratify.sh/v1", null, Map.of()).error()).contains("ratify.apiVersion").contains("v2beta1");
    assertThat(ProfileOptions.parse(null, "static", Map.of("password", "hunter2")).error())
        .contains("ratify.registryCredential.password").contains("anonymous").doesNotContain("hunter2");
    assertThat(ProfileOptions.parse(null, "vault", Map.of()).error()).contains("'vault'").contains("aws, azure, static");
  }

  @Test
  void fluxGetsOneCertificatePerKeyAndIsToldWhenItWidensAStatement() throws IOException {
    AcceptedEnvironment environment = accept(repository("repo", acmeRoot, "strict"));
    Rendering rendering = render(Profile.FLUX, environment, "abc", "flux-system");

    assertThat(rendering.objects()).singleElement().satisfies(secret -> {
      assertThat(secret.kind()).isEqualTo("Secret");
      assertThat(secret.name()).isEqualTo("production-notation");
      JsonNode data = secret.manifest().get("data");
      assertThat(data.fieldNames()).toIterable().containsExactlyInAnyOrder("trustpolicy.json", "ca-acme-root-0.pem", "tsa-acme-tsa-0.pem");
      assertThat(new String(java.util.Base64.getDecoder().decode(data.get("ca-acme-root-0.pem").asText()))).isEqualTo(acmeRoot.pem());
    });
    // "release" trusts a ca and a tsa store: in Flux each serves as the other
    assertThat(rendering.warnings()).extracting(Finding::ruleId, Finding::pointer)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("render.flux.storesMerged", "/trustPolicies/0/trustStores"));
  }

  @Test
  void notationRendersAConfigurationDirectoryAsConfigMaps() throws IOException {
    AcceptedEnvironment environment = accept(repository("repo", acmeRoot, "strict"));
    Rendering rendering = render(Profile.NOTATION, environment, "abc", "verify");

    assertThat(rendering.warnings()).isEmpty();
    assertThat(rendering.objects()).extracting(o -> o.manifest().at("/metadata/annotations/trustsync.io~1notation-path").asText())
        .containsExactly("trustpolicy.json", "truststore/x509/ca/acme-root", "truststore/x509/tsa/acme-tsa");
    assertThat(rendering.objects().get(1).manifest().at("/data/certificate-0.pem").asText()).isEqualTo(acmeRoot.pem());
    assertThat(rendering.objects().getFirst().manifest().at("/data/trustpolicy.json").asText()).contains("\"release\"");
  }
}
