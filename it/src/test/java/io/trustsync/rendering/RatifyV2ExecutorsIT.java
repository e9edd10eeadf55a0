package io.trustsync.rendering;

import static io.trustsync.truststore.TestRepository.policy;
import static io.trustsync.truststore.TestRepository.statement;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.repository.StoreType;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestRepository;
import io.trustsync.truststore.TrustedCertificate;
import io.trustsync.validation.AcceptedEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rendered ratify-v2 Executors, loaded by Ratify v2's own code (its scoped executor, notation
 * verifier, inline key provider, registry store with its credential providers, threshold policy;
 * scripts/ratify-v2-check.sh builds it from the Go module proxy): every namespace's Executors load
 * together, and each verifier trusts exactly its statement's scopes, identities and certificates.
 */
class RatifyV2ExecutorsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  /** An executor rendered from a statement, and what its verifier must trust. */
  record Expected(String namespace, String name, TrustPolicyStatement statement, Map<String, List<String>> certificates) {}

  @Test
  void ratifyLoadsEveryRenderedExecutorAndTrustsExactlyTheStatement() throws Exception {
    List<AcceptedEnvironment> environments = new ArrayList<>(ConsumerChecks.environments(temp));
    environments.add(ConsumerChecks.accept(everyStoreType(temp.resolve("types"))));

    Path executors = Files.createDirectories(temp.resolve("executors"));
    List<Expected> expected = new ArrayList<>();
    int file = 0;
    int group = 0;
    for (AcceptedEnvironment environment : environments) {
      for (String namespace : new String[] {null, "ns-" + environment.name()}) {
        // what one cluster's Ratify loads together: one environment's Executors, in a namespace or cluster-scoped
        Path folder = Files.createDirectories(executors.resolve(String.format("%02d-%s", group++, namespace == null ? "cluster" : namespace)));
        ProfileOptions options = group % 2 == 0 ? ProfileOptions.DEFAULTS
            : ProfileOptions.parse(ProfileOptions.RATIFY_V2BETA1, "azure", Map.of("clientID", "00000000-0000-0000-0000-000000000000")).options();
        Rendering rendering = Profile.RATIFY_V2.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), "abc",
            namespace, Map.of(), options));
        for (RenderedObject object : rendering.objects()) {
          Files.writeString(folder.resolve(String.format("%03d.json", file++)), JSON.writeValueAsString(object.manifest()));
          TrustPolicyStatement statement = environment.policy().statements().stream()
              .filter(s -> ObjectNames.of(environment.name(), s.name()).equals(object.name())).findFirst().orElseThrow();
          expected.add(new Expected(folder.getFileName().toString(), object.name(), statement, certificates(statement, environment.stores())));
        }
      }
    }
    JsonNode report = ConsumerChecks.run(temp.resolve("report.json"), "ratify-v2-check.sh", executors.toString());

    assertThat(report.get("loaded").properties()).isNotEmpty()
        .allSatisfy(e -> assertThat(e.getValue().asText()).as("Ratify loading the Executors of namespace '%s'", e.getKey()).isEmpty());
    assertThat(report.get("loaded")).hasSize((int) expected.stream().map(Expected::namespace).distinct().count());
    assertThat(report.get("executors")).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      Expected want = expected.get(i);
      JsonNode executor = report.get("executors").get(i);
      assertThat(executor.get("name").asText()).isEqualTo(want.name());
      assertThat(executor.get("namespace").asText()).isEqualTo(want.namespace());
      JsonNode verifier = executor.get("verifiers").get(0);
      String where = want.name() + " (statement '" + want.statement().name() + "')";
      assertThat(verifier.path("error").asText()).as(where).isEmpty();
      assertThat(ConsumerChecks.strings(verifier.get("registryScopes"))).as(where).isEqualTo(
          want.statement().registryScopes().stream().filter(s -> !s.equals("*")).toList());
      assertThat(ConsumerChecks.strings(verifier.get("trustedIdentities"))).as(where).isEqualTo(want.statement().trustedIdentities());
      assertThat(verifier.get("level").asText()).as(where).isEqualTo("strict");
      Map<String, List<String>> trusted = new TreeMap<>();
      verifier.get("certificates").properties().forEach(e -> trusted.put(e.getKey(), ConsumerChecks.strings(e.getValue())));
      assertThat(trusted).as(where).isEqualTo(want.certificates());
    }
  }

  /** Two CA stores, a TSA store and a signing authority, identities restricted: each type once, every certificate kept. */
  private static TestRepository everyStoreType(Path root) {
    return new TestRepository(root)
        .sharedStore("ca", "first", TestCertificates.root("First Root").issue())
        .sharedStore("ca", "second", TestCertificates.root("Second Root").issue(), TestCertificates.root("Second Root B").issue())
        .sharedStore("tsa", "stamps", TestCertificates.root("Stamp Root").issue())
        .sharedStore("signingAuthority", "signer", TestCertificates.root("Signing Authority").issue())
        .policy("staging", policy(
            statement("apps", "registry.acme.example/apps", "strict", List.of("ca:first", "ca:second", "tsa:stamps"),
                "x509.subject: C=US, ST=WA, O=Acme, CN=Release", "x509.subject: C=US, ST=WA, O=Acme, CN=Hotfix"),
            statement("signed", "registry.acme.example/signed", "strict", List.of("signingAuthority:signer", "tsa:stamps"), "*")));
  }


  /** SHA-256 of every certificate of the statement's stores, by store type, in store order. */
  private static Map<String, List<String>> certificates(TrustPolicyStatement statement, List<LoadedTrustStore> stores) throws Exception {
    Map<String, List<String>> byType = new LinkedHashMap<>();
    for (String reference : statement.trustStores()) {
      LoadedTrustStore store = stores.stream().filter(s -> s.reference().equals(reference)).findFirst().orElseThrow();
      StoreType type = store.directory().type();
      for (TrustedCertificate certificate : store.certificates()) {
        String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.certificate().getEncoded()));
        List<String> list = byType.computeIfAbsent(type.spelling(), t -> new ArrayList<>());
        if (!list.contains(fingerprint)) {
          list.add(fingerprint);
        }
      }
    }
    return new TreeMap<>(byType);
  }


}
