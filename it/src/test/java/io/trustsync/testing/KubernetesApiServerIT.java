package io.trustsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What only a real API server shows: schema validation, server-side apply, watches, RBAC. */
class KubernetesApiServerIT {

  @RegisterExtension static final Fleet fleet = Fleet.shared(2);

  private static final ResourceDefinitionContext WIDGETS = new ResourceDefinitionContext.Builder()
      .withGroup("testing.trustsync.io").withVersion("v1").withPlural("widgets").withKind("Widget").withNamespaced(true)
      .build();

  @BeforeAll
  static void installTestCrd() throws Exception {
    fleet.hub().installCrds(Path.of(KubernetesApiServerIT.class.getResource("/widgets.testing.trustsync.io.yaml").toURI()));
  }

  @Test
  void crdSchemaRejectsAnInvalidObject() {
    String namespace = newNamespace(fleet.hub().client());
    KubernetesClient hub = fleet.hub().client();

    hub.genericKubernetesResources(WIDGETS).inNamespace(namespace).resource(widget("good", Map.of("size", 3))).create();
    assertThatThrownBy(() -> hub.genericKubernetesResources(WIDGETS).inNamespace(namespace)
            .resource(widget("too-big", Map.of("size", 11, "colour", "purple"))).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains("spec.size").contains("spec.colour");
        });
    assertThat(hub.genericKubernetesResources(WIDGETS).inNamespace(namespace).list().getItems())
        .extracting(w -> w.getMetadata().getName()).containsExactly("good");
  }

  @Test
  void statusSubresourceSeparatesStatusFromSpec() {
    String namespace = newNamespace(fleet.hub().client());
    var widgets = fleet.hub().client().genericKubernetesResources(WIDGETS).inNamespace(namespace);
    GenericKubernetesResource created = widgets.resource(widget("w", Map.of("size", 2))).create();

    // A write to the main resource drops status; only the status subresource sets it.
    created.setAdditionalProperty("status", Map.of("observedSize", 2));
    GenericKubernetesResource updated = widgets.resource(created).update();
    assertThat(updated.getAdditionalProperties()).doesNotContainKey("status");

    updated.setAdditionalProperty("status", Map.of("observedSize", 2));
    GenericKubernetesResource withStatus = widgets.resource(updated).updateStatus();
    assertThat(withStatus.getAdditionalProperties().get("status")).isEqualTo(Map.of("observedSize", 2));
    assertThat(withStatus.getMetadata().getGeneration()).isEqualTo(1L);
  }

  @Test
  void serverSideApplyConflictsWhenAnotherManagerOwnsAFieldAndForceTakesIt() {
    KubernetesClient member = fleet.member(0).client();
    String namespace = newNamespace(member);
    member.configMaps().inNamespace(namespace).resource(configMap("policy", "owner", "someone-else"))
        .fieldManager("kubectl-edit").serverSideApply();

    assertThatThrownBy(() -> member.configMaps().inNamespace(namespace).resource(configMap("policy", "owner", "trustsync"))
            .fieldManager("trustsync").serverSideApply())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(409);
          assertThat(e.getMessage()).contains("kubectl-edit");
        });

    ConfigMap taken = member.configMaps().inNamespace(namespace).resource(configMap("policy", "owner", "trustsync"))
        .fieldManager("trustsync").forceConflicts().serverSideApply();
    assertThat(taken.getData()).containsEntry("owner", "trustsync");
    assertThat(taken.getMetadata().getManagedFields())
        .filteredOn(field -> field.getManager().equals("trustsync"))
        .singleElement()
        .satisfies(field -> assertThat(field.getFieldsV1().getAdditionalProperties().toString()).contains("f:owner"));
  }

  @Test
  void watchSeesAChangeMadeByAnotherClient() throws Exception {
    String namespace = newNamespace(fleet.member(0).client());
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    try (KubernetesClient other = fleet.member(0).newClient("other-writer", "system:masters");
        Watch watch = fleet.member(0).client().configMaps().inNamespace(namespace).watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, ConfigMap configMap) {
            seen.add(action + " " + configMap.getMetadata().getName() + " " + configMap.getData());
          }

          @Override
          public void onClose(WatcherException cause) {}
        })) {
      other.configMaps().inNamespace(namespace).resource(configMap("drifted", "k", "v1")).create();
      other.configMaps().inNamespace(namespace).withName("drifted").edit(cm -> {
        cm.getData().put("k", "v2");
        return cm;
      });

      assertThat(seen.poll(20, TimeUnit.SECONDS)).isEqualTo("ADDED drifted {k=v1}");
      assertThat(seen.poll(20, TimeUnit.SECONDS)).isEqualTo("MODIFIED drifted {k=v2}");
    }
  }

  @Test
  void rbacForbidsAUserUntilARoleBindingAllowsIt() {
    KubernetesClient admin = fleet.hub().client();
    String namespace = newNamespace(admin);
    try (KubernetesClient alice = fleet.hub().newClient("alice", "trustsync:readers")) {
      assertThatThrownBy(() -> alice.configMaps().inNamespace(namespace).list())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

      admin.rbac().roles().inNamespace(namespace).resource(new RoleBuilder().withNewMetadata().withName("read-config")
          .endMetadata().addNewRule().withApiGroups("").withResources("configmaps").withVerbs("get", "list").endRule()
          .build()).create();
      admin.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder().withNewMetadata()
          .withName("readers").endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "read-config")
          .addNewSubject().withKind("Group").withName("trustsync:readers").withApiGroup("rbac.authorization.k8s.io")
          .endSubject().build()).create();

      assertThat(alice.configMaps().inNamespace(namespace).list().getItems()).isNotNull();
      assertThatThrownBy(() -> alice.configMaps().inNamespace(namespace).resource(configMap("x", "k", "v")).create())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
  }

  @Test
  void membersAreSeparateClusters() {
    String namespace = "only-on-member-0-" + UUID.randomUUID().toString().substring(0, 8);
    fleet.member(0).client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
        .endMetadata().build()).create();

    assertThat(fleet.member(1).client().namespaces().withName(namespace).get()).isNull();
    assertThat(fleet.hub().client().namespaces().withName(namespace).get()).isNull();
    assertThat(List.of(fleet.hub().url(), fleet.member(0).url(), fleet.member(1).url())).doesNotHaveDuplicates();
  }

  static String newNamespace(KubernetesClient client) {
    String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    return name;
  }

  static ConfigMap configMap(String name, String key, String value) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData(key, value).build();
  }

  private static GenericKubernetesResource widget(String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder().withApiVersion("testing.trustsync.io/v1").withKind("Widget")
        .withNewMetadata().withName(name).endMetadata().addToAdditionalProperties("spec", spec).build();
  }
}
