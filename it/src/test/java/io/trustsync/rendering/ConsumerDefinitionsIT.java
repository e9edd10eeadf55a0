package io.trustsync.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.manifests.Manifests;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.RatifyCrds;
import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestRepository;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.validation.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every object every profile renders, applied to a real API server that has the consumers' own
 * CRDs (TrustSync's native ones from crds/, Ratify v1's and v2's from their Go modules), and read
 * back: the API server must accept it and keep every field (a structural schema silently drops
 * fields it does not know, which is how a wrong shape would pass unnoticed).
 */
class ConsumerDefinitionsIT {
  @RegisterExtension static final Fleet fleet = Fleet.shared(1);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MANAGER = "trustsync-consumer-test";

  @TempDir static Path temp;

  @BeforeAll
  static void installConsumerCrds() {
    fleet.member(0).installCrds(RatifyCrds.v1());
    fleet.member(0).installCrds(RatifyCrds.v2());
  }


  @Test
  void theConsumersCrdsAcceptAndKeepEveryRenderedObject() throws Exception {
    KubernetesClient member = fleet.member(0).client();
    String namespace = "consumers";
    member.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).serverSideApply();
    int applied = 0;
    for (AcceptedEnvironment environment : ConsumerChecks.environments(temp)) {
      for (Profile profile : Profile.values()) {
        List<ProfileOptions> variants = profile == Profile.RATIFY_V2
            ? List.of(ProfileOptions.DEFAULTS, ProfileOptions.parse(ProfileOptions.RATIFY_V2ALPHA1, "azure", Map.of("clientID", "id")).options())
            : List.of(ProfileOptions.DEFAULTS);
        for (ProfileOptions options : variants) {
          for (String target : new String[] {null, namespace}) {
            if (target == null && List.of(Profile.NATIVE, Profile.FLUX, Profile.NOTATION).contains(profile)) {
              continue; // namespaced kinds only: with no namespace they go to the client's default
            }
            Rendering rendering = profile.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), "abc123",
                target, Map.of(), options));
            for (RenderedObject object : rendering.objects()) {
              assertKept(member, object);
              applied++;
            }
          }
        }
      }
    }
    assertThat(applied).as("objects applied").isGreaterThan(20);
  }

  @Test
  void ratifyV2ObjectsAreStoredAtV2beta1WhateverVersionTheyAreWrittenAt() {
    CustomResourceDefinition crd = fleet.member(0).client().apiextensions().v1().customResourceDefinitions()
        .withName("executors.config.ratify.sh").get();
    assertThat(crd.getSpec().getVersions()).filteredOn(v -> Boolean.TRUE.equals(v.getStorage()))
        .extracting(v -> v.getName()).containsExactly("v2beta1");
    assertThat(ProfileOptions.DEFAULTS.ratifyV2ApiVersion()).isEqualTo("config.ratify.sh/v2beta1");
  }

  /** render's YAML, applied by the real kubectl (Go's YAML reader), reads back as exactly the rendered strings. */
  @Test
  void kubectlReadsRenderOutputAsTheRenderedStrings() throws Exception {
    LocalControlPlane plane = fleet.member(0);
    String namespace = "consumers-yaml";
    plane.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).serverSideApply();
    ValidationReport awkward = RepositoryValidator.validate(RepositoryReader.read(TestRepository.awkwardNames(temp.resolve("yaml")).root()),
        ValidationOptions.at(TestCertificates.NOW));
    AcceptedEnvironment environment = awkward.environments().get("production");
    for (Profile profile : Profile.values()) {
      Rendering rendering = profile.render(new RenderRequest(environment.name(), environment.policy(), environment.stores(), "abc123", namespace,
          Map.of()));
      Path file = temp.resolve(profile.id() + ".yaml");
      Files.writeString(file, rendering.toYaml());
      Manifests.kubectl(plane, "apply", "--server-side", "--field-manager=" + MANAGER, "--force-conflicts", "-f", file.toString());
      for (RenderedObject object : rendering.objects()) {
        GenericKubernetesResource live = get(plane.client(), object);
        assertThat(live).as("%s %s", object.kind(), object.name()).isNotNull();
        assertContains(JSON.valueToTree(live), object.manifest(), object.kind() + " " + object.name());
      }
    }
  }

  private static void assertKept(KubernetesClient member, RenderedObject object) {
    GenericKubernetesResource resource = JSON.convertValue(object.manifest(), GenericKubernetesResource.class);
    member.genericKubernetesResources(context(object)).resource(resource).fieldManager(MANAGER).forceConflicts().serverSideApply();
    GenericKubernetesResource live = get(member, object);
    assertThat(live).as("%s %s", object.kind(), object.name()).isNotNull();
    assertContains(JSON.valueToTree(live), object.manifest(), object.apiVersion() + " " + object.kind() + " " + object.name());
  }

  private static GenericKubernetesResource get(KubernetesClient client, RenderedObject object) {
    var resources = client.genericKubernetesResources(context(object));
    return object.namespace() == null ? resources.withName(object.name()).get() : resources.inNamespace(object.namespace()).withName(object.name()).get();
  }

  private static ResourceDefinitionContext context(RenderedObject object) {
    RenderedKind kind = RenderedKind.of(object.apiVersion(), object.kind());
    return new ResourceDefinitionContext.Builder().withGroup(kind.group()).withVersion(kind.version()).withKind(kind.kind())
        .withPlural(kind.plural()).withNamespaced(kind.namespaced()).build();
  }

  /** Every field of {@code expected} is in {@code actual} with the same value (the server adds metadata and status). */
  private static void assertContains(JsonNode actual, JsonNode expected, String where) {
    if (expected instanceof ObjectNode object) {
      assertThat(actual).as(where).isInstanceOf(ObjectNode.class);
      for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        assertThat(actual.has(field.getKey())).as("%s: field %s kept", where, field.getKey()).isTrue();
        assertContains(actual.get(field.getKey()), field.getValue(), where + "." + field.getKey());
      }
    } else if (expected.isArray()) {
      assertThat(actual.size()).as(where).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertContains(actual.get(i), expected.get(i), where + "[" + i + "]");
      }
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }
}
