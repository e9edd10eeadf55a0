package io.trustsync.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.cli.CommandRun;
import io.trustsync.local.LocalNotation;
import io.trustsync.local.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The field guide's audit on a real registry (CNCF Distribution, fallback tag) holding images
 * signed by the real notation CLI v1.3.2 with two teams' test keys, in JWS and COSE. The policy
 * repository's production environment trusts both teams' roots, expects team A on storefront and
 * team B on payments; `trustsync audit` groups the signers, flags team B's signature on team A's
 * repository and the unsigned image, and on every image says what `notation verify` says.
 */
class SignerAuditIT {
  @TempDir static Path work;
  static SignedImages signed;
  static LocalRegistry registry;
  static LocalNotation notation;
  static Path policyRepo;
  static Path production;
  /** repository -> digest of each image pushed. */
  static Map<String, String> images;

  @BeforeAll
  static void signImagesAndWriteThePolicy() throws Exception {
    signed = SignedImages.create(work);
    registry = signed.registry;
    notation = signed.notation;
    images = signed.images;
    policyRepo = work.resolve("policies");
    signed.writePolicyRepository(policyRepo);
    production = policyRepo.resolve("environments/production");
  }

  @AfterAll
  static void stop() {
    if (signed != null) {
      signed.close();
    }
  }

  private CommandRun audit(String format) {
    return CommandRun.of("audit", "--repo", policyRepo, "--env", "production", "--format", format,
        "--ca-file", registry.certificateAuthorityFile());
  }

  @Test
  void signersAreGroupedPerRepositoryAndTheUnexpectedAndUnsignedAreFlagged() throws Exception {
    CommandRun run = audit("json");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(run.out());
    Map<String, JsonNode> byImage = new LinkedHashMap<>();
    for (JsonNode repository : report.path("repositories")) {
      assertThat(repository.path("problem").isNull() || repository.path("problem").isMissingNode()).as(repository.toString()).isTrue();
      for (JsonNode image : repository.path("images")) {
        byImage.put(image.path("reference").asText(), image);
      }
    }
    String host = registry.host();
    String teamA = SignedImages.TEAM_A;
    String teamB = SignedImages.TEAM_B;
    JsonNode web = byImage.get(host + "/storefront/web@" + images.get("storefront/web"));
    assertThat(web.path("state").asText()).isEqualTo("PASSES");
    assertThat(web.path("unexpected")).extracting(JsonNode::asText).containsExactly(teamB);
    assertThat(web.path("signers")).extracting(s -> s.path("format").asText()).containsExactlyInAnyOrder("jws", "cose");
    assertThat(byImage.get(host + "/storefront/legacy@" + images.get("storefront/legacy")).path("state").asText()).isEqualTo("UNSIGNED");
    JsonNode api = byImage.get(host + "/payments/api@" + images.get("payments/api"));
    assertThat(api.path("state").asText()).isEqualTo("PASSES");
    assertThat(api.path("unexpected")).isEmpty();
    assertThat(byImage.get(host + "/payments/batch@" + images.get("payments/batch")).path("state").asText()).isEqualTo("FAILS");

    JsonNode storefront = repository(report, host + "/storefront/web");
    assertThat(storefront.path("imagesBySigner").path(teamA).asInt()).isEqualTo(1);
    assertThat(storefront.path("imagesBySigner").path(teamB).asInt()).isEqualTo(1);
    assertThat(storefront.path("unexpectedSigners").asInt()).isEqualTo(1);

    CommandRun text = audit("text");
    assertThat(text.out()).contains("UNEXPECTED signer " + teamB).contains("unsigned   " + host + "/storefront/legacy@");
    CommandRun sarif = audit("sarif");
    assertThat(new ObjectMapper().readTree(sarif.out()).at("/runs/0/results")).extracting(r -> r.path("ruleId").asText())
        .contains("audit.unexpectedSigner", "audit.unsigned", "audit.failsPolicy");
  }

  @Test
  void everyVerdictIsTheOneNotationVerifyGives() throws Exception {
    JsonNode report = new ObjectMapper().readTree(audit("json").out());
    int compared = 0;
    for (JsonNode repository : report.path("repositories")) {
      for (JsonNode image : repository.path("images")) {
        String reference = image.path("reference").asText();
        LocalNotation.Run verify = notation.verify(production, reference);
        boolean notationPasses = verify.exitCode() == 0;
        assertThat(image.path("state").asText().equals("PASSES")).as(reference + ": notation verify said\n" + verify.output())
            .isEqualTo(notationPasses);
        compared++;
      }
    }
    assertThat(compared).isEqualTo(images.size());
  }

  @Test
  void impactOfRemovingARootListsExactlyTheImagesSignedUnderIt() throws Exception {
    // the policy repository as a Git working copy: the base as above, the head drops team A's root from storefront
    Path clone = work.resolve("policies-git");
    copy(policyRepo, clone);
    String baseRevision;
    String headRevision;
    try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.init().setDirectory(clone.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      baseRevision = git.commit().setMessage("base").setAuthor("t", "t@example.test").setCommitter("t", "t@example.test").setSign(false).call().name();
      Path env = clone.resolve("environments/production");
      Files.writeString(env.resolve("trustpolicy.json"), Files.readString(env.resolve("trustpolicy.json"))
          .replace("\"trustStores\": [\"ca:team-a\", \"ca:team-b\"]", "\"trustStores\": [\"ca:team-b\"]"));
      try (var files = Files.walk(env.resolve("truststore/x509/ca/team-a"))) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      git.add().addFilepattern(".").setUpdate(true).call();
      git.add().addFilepattern(".").call();
      headRevision = git.commit().setMessage("drop team A's root").setAuthor("t", "t@example.test").setCommitter("t", "t@example.test")
          .setSign(false).call().name();
    }
    CommandRun run = CommandRun.of("impact", "--repo", clone, "--base", baseRevision, "--head", headRevision, "--env", "production",
        "--format", "json", "--ca-file", registry.certificateAuthorityFile());
    assertThat(run.exitCode()).as(run.err() + run.out()).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(run.out());
    String host = registry.host();
    Map<String, JsonNode> byImage = new LinkedHashMap<>();
    report.path("images").forEach(i -> byImage.put(i.path("reference").asText(), i));
    assertThat(byImage).hasSize(images.size());
    List<String> breaking = new java.util.ArrayList<>();
    List<String> losing = new java.util.ArrayList<>();
    byImage.forEach((reference, image) -> {
      if (image.path("change").asText().equals("BREAKS")) {
        breaking.add(reference);
      }
      if (!image.path("lost").isEmpty()) {
        losing.add(reference);
      }
    });
    // cart had only team A's signature; web keeps team B's; batch failed already (payments never trusted team A)
    assertThat(breaking).containsExactly(host + "/storefront/cart@" + images.get("storefront/cart"));
    assertThat(losing).containsExactlyInAnyOrder(host + "/storefront/web@" + images.get("storefront/web"),
        host + "/storefront/cart@" + images.get("storefront/cart"));
    JsonNode cart = byImage.get(host + "/storefront/cart@" + images.get("storefront/cart"));
    assertThat(cart.path("why").asText()).startsWith("store removed");
    assertThat(cart.path("lost").get(0).path("signer").asText()).isEqualTo("CN=team-a,O=Notary,L=Seattle,ST=WA,C=US");

    CommandRun text = CommandRun.of("impact", "--repo", clone, "--base", baseRevision, "--head", headRevision, "--env", "production",
        "--ca-file", registry.certificateAuthorityFile());
    assertThat(text.out()).contains("BREAKS  " + host + "/storefront/cart@").contains("1 break");
    CommandRun none = CommandRun.of("impact", "--repo", clone, "--base", baseRevision, "--head", baseRevision, "--env", "production",
        "--ca-file", registry.certificateAuthorityFile());
    assertThat(none.exitCode()).as(none.err() + none.out()).isZero();
  }

  private static void copy(Path from, Path to) throws java.io.IOException {
    try (var files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  private static JsonNode repository(JsonNode report, String name) {
    for (JsonNode repository : report.path("repositories")) {
      if (repository.path("repository").asText().equals(name)) {
        return repository;
      }
    }
    throw new AssertionError("no repository " + name + " in " + report);
  }
}
