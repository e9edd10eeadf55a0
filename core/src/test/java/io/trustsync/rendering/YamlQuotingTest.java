package io.trustsync.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.findings.Finding;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestRepository;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.validation.ValidationReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** render's YAML reads back as the same strings in a YAML 1.1 reader (SnakeYAML: dates, yes/no, base 60, merge keys). */
class YamlQuotingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void everyProfileReadsBackUnchangedThroughAYaml11Reader() throws Exception {
    ValidationReport report = RepositoryValidator.validate(RepositoryReader.read(TestRepository.awkwardNames(temp).root()),
        ValidationOptions.at(TestCertificates.NOW));
    assertThat(report.findings()).as("the fixture is valid").noneMatch(Finding::isError);
    AcceptedEnvironment environment = report.environments().get("production");

    for (Profile profile : Profile.values()) {
      for (String namespace : new String[] {null, "gatekeeper-system"}) {
        Rendering rendering = profile.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), "abc", namespace, Map.of()));
        List<Object> documents = new ArrayList<>();
        new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(rendering.toYaml()).forEach(documents::add);

        assertThat(documents).as(profile.id()).hasSize(rendering.objects().size());
        for (int i = 0; i < documents.size(); i++) {
          JsonNode readBack = JSON.valueToTree(documents.get(i));
          assertThat(readBack).as("%s object %d", profile.id(), i).isEqualTo(rendering.objects().get(i).manifest());
        }
        String yaml = rendering.toYaml();
        for (String name : TestRepository.AWKWARD_NAMES) {
          if (yaml.contains(name)) {
            assertThat(yaml).as("%s: %s appears only quoted", profile.id(), name).doesNotContain(": " + name + "\n");
          }
        }
      }
    }
  }

  @Test
  void plainOnlyWhereEveryReaderAgrees() {
    for (String plain : List.of("v1", "config.ratify.sh/v2beta1", "production-images", "registry.acme.example/app", "Executor", "ca")) {
      assertThat(YamlQuoting.plain(plain)).as(plain).isTrue();
    }
    for (String quoted : List.of("0o17", "0x1F", "017", "1e3", "2026-12-01", "12:30:00", "<<", "=", "~", "", "yes", "No", "ON", "off",
        "y", "N", "null", "NULL", "true", "False", ".inf", "-.nan", "a b", "key: value", "#comment", "*alias", "&anchor", "!tag", "-", "- a")) {
      assertThat(YamlQuoting.plain(quoted)).as(quoted).isFalse();
    }
  }
}
