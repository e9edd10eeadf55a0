package io.trustsync.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import io.trustsync.validation.AcceptedEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code notation} profile's ConfigMaps, laid out as a mount would lay them out, are a Notation
 * configuration directory that notation-go's own trust store reads with exactly the repository's
 * certificates per store; the {@code flux} profile's Secret, read the way source-controller reads
 * a verification Secret, gives notation-go a verifier with every certificate of the environment
 * (scripts/notation-check.sh).
 */
class FluxAndNotationProfilesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;


  @Test
  void theNotationProfileIsAConfigurationDirectoryNotationReads() throws Exception {
    Path dirs = Files.createDirectories(temp.resolve("dirs"));
    Map<String, Map<String, List<String>>> expected = new TreeMap<>();
    int n = 0;
    for (AcceptedEnvironment environment : ConsumerChecks.environments(temp)) {
      Rendering rendering = Profile.NOTATION.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), "abc", "ns",
          Map.of()));
      String name = String.format("%02d-%s", n++, environment.name());
      Path dir = Files.createDirectories(dirs.resolve(name));
      // what a projected volume with one item per key, at the annotated path, puts on disk
      for (RenderedObject object : rendering.objects()) {
        String folder = object.manifest().at("/metadata/annotations/trustsync.io~1notation-path").asText();
        assertThat(folder).as(object.name()).isNotEmpty();
        for (var entry : object.manifest().get("data").properties()) {
          Path file = folder.equals("trustpolicy.json") ? dir.resolve("trustpolicy.json") : dir.resolve(folder).resolve(entry.getKey());
          Files.createDirectories(file.getParent());
          Files.writeString(file, entry.getValue().asText());
        }
      }
      Map<String, List<String>> stores = new TreeMap<>();
      for (var statement : environment.policy().statements()) {
        for (String reference : statement.trustStores()) {
          stores.put(reference, fingerprints(environment.stores().stream().filter(s -> s.reference().equals(reference)).toList()));
        }
      }
      expected.put(name, stores);
    }
    JsonNode report = ConsumerChecks.run(temp.resolve("report-directories.json"), "notation-check.sh", "--directories", dirs.toString());

    assertThat(report).hasSize(expected.size());
    for (JsonNode result : report) {
      String name = result.get("name").asText();
      assertThat(result.path("error").asText()).as(name).isEmpty();
      assertThat(result.path("verifierError").asText()).as(name + ": notation-go builds a verifier").isEmpty();
      Map<String, List<String>> stores = new TreeMap<>();
      result.get("stores").properties().forEach(e -> stores.put(e.getKey(), ConsumerChecks.strings(e.getValue())));
      assertThat(stores).as(name).isEqualTo(expected.get(name));
    }
  }

  @Test
  void theFluxSecretHoldsOneCertificatePerKeyAndThePolicyAsNotationReadsIt() throws Exception {
    Path secrets = Files.createDirectories(temp.resolve("secrets"));
    Map<String, List<String>> expected = new TreeMap<>();
    int n = 0;
    for (AcceptedEnvironment environment : ConsumerChecks.environments(temp)) {
      Rendering rendering = Profile.FLUX.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), "abc", "ns",
          Map.of()));
      assertThat(rendering.objects()).singleElement().satisfies(o -> assertThat(o.kind()).isEqualTo("Secret"));
      String name = String.format("%02d-%s", n++, environment.name());
      Path dir = Files.createDirectories(secrets.resolve(name));
      for (var entry : rendering.objects().getFirst().manifest().get("data").properties()) {
        Files.write(dir.resolve(entry.getKey()), Base64.getDecoder().decode(entry.getValue().asText()));
      }
      expected.put(name, fingerprints(environment.stores()));
      // the policy in the Secret is the repository's document
      assertThat(JSON.readTree(dir.resolve("trustpolicy.json").toFile()).get("trustPolicies"))
          .hasSize(environment.policy().statements().size());
    }
    JsonNode report = ConsumerChecks.run(temp.resolve("report-flux.json"), "notation-check.sh", "--flux", secrets.toString());

    assertThat(report).hasSize(expected.size());
    for (JsonNode result : report) {
      String name = result.get("name").asText();
      assertThat(result.path("error").asText()).as(name).isEmpty();
      assertThat(result.path("verifierError").asText()).as(name + ": notation-go builds a verifier").isEmpty();
      assertThat(ConsumerChecks.strings(result.at("/stores/*"))).as(name + ": every certificate, one per key").isEqualTo(expected.get(name));
    }
  }

  private static List<String> fingerprints(List<LoadedTrustStore> stores) {
    TreeSet<String> all = new TreeSet<>();
    for (LoadedTrustStore store : stores) {
      for (TrustedCertificate certificate : store.certificates()) {
        all.add(certificate.sha256Fingerprint().replace(":", "").toLowerCase(java.util.Locale.ROOT));
      }
    }
    return new ArrayList<>(all);
  }


}
