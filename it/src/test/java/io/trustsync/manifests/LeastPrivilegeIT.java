package io.trustsync.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.distribution.TrustDistributionSpec;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.membercluster.MemberClusterSpec;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceSpec;
import io.trustsync.local.GitCommit;
import io.trustsync.local.LocalControlPlane;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.operator.TrustSyncOperator;
import io.trustsync.testing.Fleet;
import io.trustsync.testing.ProjectFolder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RBAC in manifests/ is enough, and no more than needed: the operator runs as the
 * ServiceAccounts manifests/hub and manifests/member create, on real API servers with RBAC on.
 * (A client certificate named like a ServiceAccount is that ServiceAccount to RBAC.)
 */
class LeastPrivilegeIT {
  // Dedicated: the member loses its TrustSync CRDs here, as a fresh cluster would not have them.
  @RegisterExtension static final Fleet fleet = Fleet.dedicated(1);

  static final String HUB_SA = "system:serviceaccount:trustsync-system:trustsync";
  static final String MEMBER_SA = "system:serviceaccount:trustsync-system:trustsync-member";
  static final List<String> NATIVE_CRDS = List.of("truststores.trustsync.io", "trustpolicies.trustsync.io");

  @TempDir static Path cache;

  @BeforeAll
  static void deployManifests() {
    Manifests.apply(fleet.hub(), Manifests.load(fleet.hub().client(), Manifests.kustomize("hub")));
    Manifests.apply(fleet.member(0), Manifests.load(fleet.member(0).client(), Manifests.kustomize("member")));
  }

  /** The operator (hub side as admin) reaching member-0 as {@code memberUser}: a namespace with a source, a member, a distribution. */
  private record Scenario(String namespace, LocalGitRepository repo, String target) {}

  private Scenario scenario(LocalGitServer git, String memberUser) {
    return scenario(git, memberUser, "native");
  }

  private Scenario scenario(LocalGitServer git, String memberUser, String profile) {
    KubernetesClient admin = fleet.hub().client();
    String ns = "rbac-" + UUID.randomUUID().toString().substring(0, 6);
    admin.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    LocalGitRepository repo = git.createRepository(ns);
    admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("member-0-kubeconfig").endMetadata()
        .withStringData(Map.of("kubeconfig", fleet.member(0).kubeconfig(memberUser))).build()).serverSideApply();
    MemberCluster cluster = new MemberCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("member-0").withNamespace(ns).build());
    cluster.setSpec(new MemberClusterSpec());
    cluster.getSpec().kubeconfigSecretRef = new MemberClusterSpec.KubeconfigSecretReference();
    cluster.getSpec().kubeconfigSecretRef.name = "member-0-kubeconfig";
    cluster.getSpec().probeInterval = "2s";
    admin.resource(cluster).create();
    PolicySource source = new PolicySource();
    source.setMetadata(new ObjectMetaBuilder().withName("policies").withNamespace(ns).build());
    source.setSpec(new PolicySourceSpec());
    source.getSpec().url = repo.httpUrl().toString();
    source.getSpec().interval = "1s";
    admin.resource(source).create();
    String target = "trust-" + ns;
    TrustDistribution distribution = new TrustDistribution();
    distribution.setMetadata(new ObjectMetaBuilder().withName("production").withNamespace(ns).build());
    distribution.setSpec(new TrustDistributionSpec());
    distribution.getSpec().sourceRef = new TrustDistributionSpec.SourceReference();
    distribution.getSpec().sourceRef.name = "policies";
    distribution.getSpec().environment = "production";
    distribution.getSpec().targetNamespace = target;
    distribution.getSpec().profile = profile;
    admin.resource(distribution).create();
    return new Scenario(ns, repo, target);
  }

  private static io.trustsync.crd.target.TrustDistributionTarget target(Scenario s) {
    return fleet.hub().client().resources(io.trustsync.crd.target.TrustDistributionTarget.class).inNamespace(s.namespace())
        .withName(io.trustsync.operator.target.TargetNames.target("production", "member-0")).get();
  }

  @Test
  void theMemberRoleLetsTheOperatorInstallCrdsCreateTheNamespaceApplyPruneAndCorrectDrift() throws Exception {
    KubernetesClient admin = fleet.member(0).client();
    removeNativeCrds(admin);
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(),
            io.trustsync.testing.TestSettings.loopback(cache.resolve("member-role")).withHttp(null))) {
      Scenario s = scenario(git, MEMBER_SA);
      String first = s.repo().commit(example());
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(target(s)).extracting(t -> t.getStatus() == null ? null
          : t.getStatus().state + "@" + t.getStatus().appliedRevision).isEqualTo("Synced@" + first));
      assertThat(NATIVE_CRDS).allMatch(name -> admin.apiextensions().v1().customResourceDefinitions().withName(name).get() != null);
      assertThat(admin.namespaces().withName(s.target()).get()).isNotNull();
      assertThat(owned(admin, "TrustPolicy", s.target())).extracting(o -> o.getMetadata().getName()).containsExactly("production");
      List<GenericKubernetesResource> stores = owned(admin, "TrustStore", s.target());
      assertThat(stores).extracting(o -> o.getMetadata().getName()).containsExactlyInAnyOrder("production-ca-acme-root", "production-tsa-acme-tsa");

      // Drift is seen through the watch and put back.
      admin.genericKubernetesResources("trustsync.io/v1alpha1", "TrustStore").inNamespace(s.target()).withName("production-tsa-acme-tsa").delete();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(owned(admin, "TrustStore", s.target()))
          .extracting(o -> o.getMetadata().getName()).contains("production-tsa-acme-tsa"));

      // A store no longer rendered is pruned.
      String policy = java.nio.file.Files.readString(ProjectFolder.root().resolve("policy-repo-example/environments/production/trustpolicy.json"))
          .replace(",\n        \"tsa:acme-tsa\"", "");
      s.repo().commit(example(Map.of("environments/production/trustpolicy.json", policy)));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(owned(admin, "TrustStore", s.target()))
          .extracting(o -> o.getMetadata().getName()).containsExactly("production-ca-acme-root"));

      // Deleting the distribution deletes everything it owns, through its target's inventory.
      fleet.hub().client().resources(TrustDistribution.class).inNamespace(s.namespace()).withName("production").delete();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(owned(admin, "TrustStore", s.target())).isEmpty();
        assertThat(owned(admin, "TrustPolicy", s.target())).isEmpty();
        assertThat(target(s)).isNull();
      });
    }
  }

  @Test
  void theFluxProfileNeedsTheProfilesRoleInItsNamespaceAndWorksWithIt() throws Exception {
    KubernetesClient admin = fleet.member(0).client();
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(),
            io.trustsync.testing.TestSettings.loopback(cache.resolve("profiles-role")).withHttp(null))) {
      Scenario s = scenario(git, MEMBER_SA, "flux");
      String first = s.repo().commit(example());
      // manifests/member alone grants nothing on Secrets
      await().atMost(Duration.ofSeconds(60)).ignoreException(NullPointerException.class).untilAsserted(() -> {
        assertThat(target(s).getStatus().state).isEqualTo("Failed");
        assertThat(target(s).getStatus().message).contains("forbidden").contains("secrets");
      });
      // the opt-in Role, for the distribution's namespace only
      for (var object : Manifests.load(admin, Manifests.folder("member").resolve("profiles/flux-and-notation.yaml"))) {
        object.getMetadata().setNamespace(s.target());
        admin.resource(object).fieldManager(Manifests.FIELD_MANAGER).forceConflicts().serverSideApply();
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(target(s)).extracting(t -> t.getStatus() == null ? null
          : t.getStatus().state + "@" + t.getStatus().appliedRevision).isEqualTo("Synced@" + first));
      assertThat(admin.secrets().inNamespace(s.target()).withName("production-notation").get()).isNotNull();
    }
  }

  @Test
  void withoutTheMemberRoleTheTargetFailsWithForbiddenAndPointsToManifestsMember() throws Exception {
    try (LocalGitServer git = LocalGitServer.launch();
        TrustSyncOperator operator = TrustSyncOperator.start(fleet.hub().client(),
            io.trustsync.testing.TestSettings.loopback(cache.resolve("unbound")).withHttp(null))) {
      Scenario s = scenario(git, "system:serviceaccount:trustsync-system:not-bound");
      s.repo().commit(example());
      await().atMost(Duration.ofSeconds(60)).ignoreException(NullPointerException.class).untilAsserted(() -> {
        var target = target(s);
        assertThat(target.getStatus()).isNotNull();
        assertThat(target.getStatus().state).isEqualTo("Failed");
        assertThat(target.getStatus().message).contains("forbidden").contains("manifests/member/");
      });
    }
  }

  @Test
  void theHubRoleRunsTheWholeOperatorWithLeaderElectionAndCleansUpOnDelete() throws Exception {
    LocalControlPlane hub = fleet.hub();
    LocalControlPlane member = fleet.member(0);
    KubernetesClient admin = hub.client();
    String ns = "trustsync-system";
    String target = "trust-hub-" + UUID.randomUUID().toString().substring(0, 6);

    try (LocalGitServer git = LocalGitServer.launch();
        KubernetesClient leaderClient = hub.newClient(HUB_SA);
        KubernetesClient standbyClient = hub.newClient(HUB_SA)) {
      LocalGitRepository repo = git.createRepository("policies");
      String revision = repo.commit(example());

      // What an administrator does, per docs/install.md: a kubeconfig Secret for the member's
      // ServiceAccount, a MemberCluster, a PolicySource and a TrustDistribution.
      Manifests.registerProduction(admin, member, MEMBER_SA, repo.httpUrl().toString(), target);

      try (TrustSyncOperator leader = TrustSyncOperator.start(leaderClient, settings("replica-a"));
          TrustSyncOperator standby = TrustSyncOperator.start(standbyClient, settings("replica-b"))) {
        var distributions = admin.resources(TrustDistribution.class).inNamespace(ns);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
          TrustDistribution live = distributions.withName("production").get();
          assertThat(live.getStatus()).as("status").isNotNull();
          assertThat(live.getStatus().conditions).as(io.fabric8.kubernetes.client.utils.Serialization.asYaml(live.getStatus()))
              .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
          assertThat(live.getStatus().revision).isEqualTo(revision);
        });
        assertThat(member.client().genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(target)
            .withName("production").get()).isNotNull();
        // The leader renews its lease, under exactly these roles, for several renewal periods and
        // keeps leading: the elector renews with PATCH, which the Role must grant.
        String holder = admin.leases().inNamespace(ns).withName("trustsync-leader").get().getSpec().getHolderIdentity();
        java.util.Set<String> renewals = new java.util.HashSet<>();
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          var lease = admin.leases().inNamespace(ns).withName("trustsync-leader").get().getSpec();
          assertThat(lease.getHolderIdentity()).as("the lease never changed hands").isEqualTo(holder);
          assertThat(List.of(leader.leading(), standby.leading())).containsExactlyInAnyOrder(true, false);
          renewals.add(String.valueOf(lease.getRenewTime()));
          assertThat(renewals).as("distinct renewals seen").hasSizeGreaterThanOrEqualTo(6);
        });
        // Exactly one replica leads; both are ready, so a rolling update with maxUnavailable 0 proceeds.
        assertThat(List.of(leader.leading(), standby.leading())).containsExactlyInAnyOrder(true, false);
        assertThat(leader.ready() && standby.ready()).as("both replicas ready").isTrue();
        assertThat(admin.leases().inNamespace(ns).withName("trustsync-leader").get().getSpec().getHolderIdentity()).startsWith("replica-");
        assertThat(admin.resources(MemberCluster.class).inNamespace(ns).withName("member-0").get().getStatus().reachable).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin.v1().events().inNamespace(ns).list().getItems())
            .anyMatch(e -> "trustsync".equals(e.getReportingComponent()) && e.getInvolvedObject().getKind().startsWith("TrustDistribution")));

        // Delete: the finalizer runs as the hub ServiceAccount, deletion as the member's.
        distributions.withName("production").delete();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(distributions.withName("production").get()).isNull();
          assertThat(member.client().genericKubernetesResources("trustsync.io/v1alpha1", "TrustPolicy").inNamespace(target).list().getItems()).isEmpty();
        });
      }
    }
  }

  @Test
  void theHubServiceAccountHasTheKeyVerbsAndNothingBeyondThem() {
    LocalControlPlane hub = fleet.hub();
    List<String> allowed = List.of(
        "get secrets -n trustsync-system",
        "list secrets -n trustsync-system",
        "watch secrets -n trustsync-system",
        "watch policysources.trustsync.io -n trustsync-system",
        "patch trustdistributions.trustsync.io -n trustsync-system",
        "patch memberclusters.trustsync.io --subresource=status -n trustsync-system",
        "update policysources.trustsync.io --subresource=finalizers -n trustsync-system",
        "create events -n trustsync-system",
        "patch events -n trustsync-system",
        "create trustdistributiontargets.trustsync.io -n trustsync-system",
        "delete trustdistributiontargets.trustsync.io -n trustsync-system",
        "patch trustdistributiontargets.trustsync.io --subresource=status -n trustsync-system",
        "create leases.coordination.k8s.io -n trustsync-system",
        "update leases.coordination.k8s.io/trustsync-leader -n trustsync-system",
        "patch leases.coordination.k8s.io/trustsync-leader -n trustsync-system");
    List<String> denied = List.of(
        "get secrets -n kube-system",
        "list secrets -n kube-system",
        "watch secrets -n default",
        "get policysources.trustsync.io -n default",
        "create trustdistributions.trustsync.io -n trustsync-system",
        "delete policysources.trustsync.io -n trustsync-system",
        "update leases.coordination.k8s.io/someone-elses-lease -n trustsync-system",
        "patch leases.coordination.k8s.io/someone-elses-lease -n trustsync-system",
        "create pods -n trustsync-system",
        "create customresourcedefinitions.apiextensions.k8s.io");
    for (String check : allowed) {
      assertThat(canI(hub, HUB_SA, check)).as("%s may %s", HUB_SA, check).isEqualTo("yes");
    }
    for (String check : denied) {
      assertThat(canI(hub, HUB_SA, check)).as("%s may not %s", HUB_SA, check).isEqualTo("no");
    }
    LocalControlPlane member = fleet.member(0);
    assertThat(canI(member, MEMBER_SA, "create customresourcedefinitions.apiextensions.k8s.io")).isEqualTo("yes");
    assertThat(canI(member, MEMBER_SA, "get customresourcedefinitions.apiextensions.k8s.io/truststores.trustsync.io")).isEqualTo("yes");
    assertThat(canI(member, MEMBER_SA, "get customresourcedefinitions.apiextensions.k8s.io/other.example.com")).isEqualTo("no");
    assertThat(canI(member, MEMBER_SA, "delete namespaces")).isEqualTo("no");
    assertThat(canI(member, MEMBER_SA, "get secrets -A")).isEqualTo("no");
    // Ratify is not installed here, so kubectl cannot resolve its kinds; ask the authorizer directly.
    for (String resource : List.of("verifiers", "namespacedverifiers", "keymanagementproviders", "namespacedkeymanagementproviders")) {
      assertThat(allowed(member, MEMBER_SA, "patch", "config.ratify.deislabs.io", resource)).as(resource).isTrue();
    }
    assertThat(allowed(member, MEMBER_SA, "deletecollection", "config.ratify.sh", "namespacedexecutors")).isTrue();
    assertThat(allowed(member, MEMBER_SA, "update", "trustsync.io", "trustpolicies")).as("update is never used: apply is a patch").isFalse();
  }

  private static boolean allowed(LocalControlPlane plane, String user, String verb, String group, String resource) {
    var review = new io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder()
        .withNewSpec().withUser(user).withGroups("system:authenticated")
        .withNewResourceAttributes().withVerb(verb).withGroup(group).withResource(resource).withNamespace("trust").endResourceAttributes()
        .endSpec().build();
    return plane.client().authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed();
  }

  private static String canI(LocalControlPlane plane, String user, String check) {
    List<String> args = new java.util.ArrayList<>(List.of("auth", "can-i"));
    args.addAll(List.of(check.split(" ")));
    args.add("--as=" + user);
    Manifests.Result result = Manifests.kubectlResult(plane, args.toArray(String[]::new));
    // kubectl prints yes or no (exit code 0 or 1), after any warnings.
    List<String> lines = result.output().strip().lines().toList();
    return lines.isEmpty() ? "(exit " + result.exitCode() + ", no output)" : lines.getLast();
  }

  private static TrustSyncOperator.Settings settings(String identity) {
    return io.trustsync.testing.TestSettings.loopback(cache.resolve(identity)).withNamespace("trustsync-system")
        .withTenancy(io.trustsync.operator.shared.Tenancy.of("trustsync-system"))
        .withLeaderElection(new io.trustsync.operator.leader.Leadership.Settings("trustsync-leader", "trustsync-system", identity,
            Duration.ofSeconds(10), Duration.ofSeconds(8), Duration.ofSeconds(2), false));
  }

  private static void removeNativeCrds(KubernetesClient admin) {
    for (String name : NATIVE_CRDS) {
      admin.apiextensions().v1().customResourceDefinitions().withName(name).delete();
      admin.apiextensions().v1().customResourceDefinitions().withName(name).waitUntilCondition(c -> c == null, 30, TimeUnit.SECONDS);
    }
  }



  private static List<GenericKubernetesResource> owned(KubernetesClient admin, String kind, String namespace) {
    return admin.genericKubernetesResources("trustsync.io/v1alpha1", kind).inNamespace(namespace).list().getItems();
  }



  private static GitCommit example() {
    return Manifests.example();
  }

  private static GitCommit example(Map<String, String> changes) {
    return Manifests.example(changes);
  }


}
