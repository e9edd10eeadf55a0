package io.trustsync.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.truststore.TestCertificates;
import io.trustsync.truststore.TestRepository;
import io.trustsync.findings.Finding;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.validation.ValidationReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile repositories: whatever a pull request puts in the tree ends as a finding, never as a
 * crash, a hang, or a read outside the repository.
 */
class RepositoryReaderTest {
  private static final String STORE = "truststore/x509/ca/acme-root";

  @TempDir Path temp;

  private TestRepository repository() {
    return TestRepository.valid(temp.resolve("repo"));
  }

  private static Finding only(PolicyRepository repository, String ruleId) {
    List<Finding> matching = repository.layoutFindings().stream().filter(f -> f.ruleId().equals(ruleId)).toList();
    assertThat(matching).as("%s in %s", ruleId, repository.layoutFindings()).hasSize(1);
    assertThat(matching.getFirst().isError()).isTrue();
    return matching.getFirst();
  }

  private static void mkfifo(Path path) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
  }

  private static Stream<RepoFile> allFiles(PolicyRepository repository) {
    Stream<TrustStoreDirectory> stores = Stream.concat(repository.sharedStores().stream(),
        repository.environments().stream().flatMap(e -> e.stores().stream()));
    return Stream.concat(stores.flatMap(s -> s.files().stream()),
        repository.environments().stream().flatMap(e -> Stream.of(e.trustPolicy(), e.shadowedPolicy())).filter(f -> f != null));
  }

  @Test
  void readsAWellFormedRepositoryWithoutFindings() throws IOException {
    PolicyRepository read = RepositoryReader.read(repository().root());

    assertThat(read.layoutFindings()).isEmpty();
    assertThat(read.sharedStores()).extracting(TrustStoreDirectory::path).containsExactly(STORE);
    assertThat(read.environment("production").trustPolicy().path()).isEqualTo("environments/production/trustpolicy.json");
  }

  @Test
  void symlinkInsideAStoreIsReportedAndNotFollowed() throws IOException {
    TestRepository repo = repository();
    Files.createSymbolicLink(repo.path(STORE + "/linked.pem"), Path.of("certificate-0.pem"));

    PolicyRepository read = RepositoryReader.read(repo.root());

    assertThat(only(read, "repo.symlink").file()).isEqualTo(STORE + "/linked.pem");
    assertThat(read.sharedStores().getFirst().files()).extracting(RepoFile::fileName).containsExactly("certificate-0.pem");
  }

  @Test
  @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void symlinkOutOfTheRepositoryIsAPathEscapeAndItsTargetIsNeverRead() throws Exception {
    TestRepository repo = repository();
    Path secret = Files.writeString(temp.resolve("secret.pem"), TestCertificates.root("Outside Root").issue().pem() + "SECRET");
    // Opening a FIFO with no writer blocks forever: if the reader followed this link, the test would time out.
    Path pipe = temp.resolve("outside.fifo");
    mkfifo(pipe);
    Files.createSymbolicLink(repo.path(STORE + "/secret.pem"), secret);
    Files.createSymbolicLink(repo.path(STORE + "/pipe.pem"), Path.of("../../../../../outside.fifo"));
    Files.createSymbolicLink(repo.path("environments/production/truststore"), temp);

    PolicyRepository read = RepositoryReader.read(repo.root());

    assertThat(read.layoutFindings()).extracting(Finding::ruleId).containsOnly("repo.pathEscape").hasSize(3);
    assertThat(read.layoutFindings()).extracting(Finding::file).containsExactlyInAnyOrder(
        STORE + "/secret.pem", STORE + "/pipe.pem", "environments/production/truststore");
    assertThat(allFiles(read)).noneMatch(f -> new String(f.content(), StandardCharsets.UTF_8).contains("SECRET"));
    assertThat(read.environment("production").stores()).isEmpty();
  }

  @Test
  void symlinkedTrustPolicyIsReportedAndTheEnvironmentHasNoPolicy() throws IOException {
    TestRepository repo = repository();
    Path policy = repo.path("environments/production/trustpolicy.json");
    Path elsewhere = Files.move(policy, temp.resolve("trustpolicy.json"));
    Files.createSymbolicLink(policy, elsewhere);

    PolicyRepository read = RepositoryReader.read(repo.root());

    assertThat(only(read, "repo.pathEscape").file()).isEqualTo("environments/production/trustpolicy.json");
    assertThat(read.environment("production").trustPolicy()).isNull();
  }

  @Test
  void repositoryReachedThroughALinkIsReadAndLinksInsideAreJudgedByItsRealPlace() throws IOException {
    TestRepository repo = repository();
    Path link = Files.createSymbolicLink(temp.resolve("link-to-repo"), repo.root());
    Files.createSymbolicLink(repo.path(STORE + "/absolute.pem"), repo.path(STORE + "/certificate-0.pem").toAbsolutePath());

    PolicyRepository read = RepositoryReader.read(link);

    assertThat(only(read, "repo.symlink").file()).isEqualTo(STORE + "/absolute.pem");
    assertThat(read.sharedStores().getFirst().files()).extracting(RepoFile::fileName).containsExactly("certificate-0.pem");
  }

  @Test
  @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void fifoInAStoreIsNotARegularFileAndDoesNotBlock() throws Exception {
    TestRepository repo = repository();
    mkfifo(repo.path(STORE + "/pipe.pem"));

    PolicyRepository read = RepositoryReader.read(repo.root());

    assertThat(only(read, "repo.notRegularFile").file()).isEqualTo(STORE + "/pipe.pem");
  }

  @Test
  void fileOverTheSizeLimitIsReportedAndNotRead() throws IOException {
    TestRepository repo = repository().file(STORE + "/huge.pem", new byte[5 * 1024 * 1024]);

    PolicyRepository read = RepositoryReader.read(repo.root());

    Finding finding = only(read, "repo.oversizedFile");
    assertThat(finding.file()).isEqualTo(STORE + "/huge.pem");
    assertThat(finding.message()).contains("5242880 bytes").contains("4194304-byte limit");
    assertThat(read.sharedStores().getFirst().files()).extracting(RepoFile::fileName).containsExactly("certificate-0.pem");
  }

  @Test
  void deeplyNestedJsonPolicyIsASchemaDepthFindingNotAStackOverflow() throws IOException {
    TestRepository repo = repository().policy("production", "[".repeat(100_000) + "]".repeat(100_000));

    ValidationReport report = RepositoryValidator.validate(RepositoryReader.read(repo.root()), ValidationOptions.at(TestCertificates.NOW));

    assertThat(report.findings()).filteredOn(f -> f.ruleId().equals("schema.depth")).singleElement()
        .satisfies(f -> assertThat(f.file()).isEqualTo("environments/production/trustpolicy.json"));
    assertThat(report.accepted()).isFalse();
  }

  @Test
  void subDirectoryInAStoreIsReported() throws IOException {
    TestRepository repo = repository().directory(STORE + "/old");

    assertThat(only(RepositoryReader.read(repo.root()), "store.subdirectory").file()).isEqualTo(STORE + "/old");
  }

  @Test
  void unknownStoreTypeFolderIsReportedCaseSensitively() throws IOException {
    TestRepository repo = repository().sharedStore("CA", "upper", TestCertificates.root("Upper Root").issue());

    Finding finding = only(RepositoryReader.read(repo.root()), "store.unknownType");
    assertThat(finding.file()).isEqualTo("truststore/x509/CA");
    assertThat(finding.message()).contains("ca, signingAuthority or tsa");
  }

  @Test
  void storeNameOutsideNotationsAlphabetIsReported() throws IOException {
    TestRepository repo = repository().sharedStore("ca", "acme root", TestCertificates.root("Spaced Root").issue());

    assertThat(only(RepositoryReader.read(repo.root()), "store.invalidName").file()).isEqualTo("truststore/x509/ca/acme root");
  }

  @Test
  void repositoryWithoutEnvironmentsFolderIsReported() throws IOException {
    TestRepository repo = new TestRepository(temp.resolve("repo")).sharedStore("ca", "acme-root", TestCertificates.root("Acme").issue());

    PolicyRepository read = RepositoryReader.read(repo.root());

    assertThat(only(read, "repo.noEnvironments").file()).isEqualTo("environments");
    assertThat(read.environments()).isEmpty();
  }

  @Test
  void environmentNameThatIsNoDnsLabelIsReported() throws IOException {
    TestRepository repo = repository().file("environments/Prod_EU/trustpolicy.json", "{}");

    Finding finding = only(RepositoryReader.read(repo.root()), "repo.environmentName");
    assertThat(finding.file()).isEqualTo("environments/Prod_EU");
    assertThat(finding.message()).contains("'Prod_EU'");
  }

  @Test
  void rootThatIsNotADirectoryIsAnIoError() {
    Path file = temp.resolve("file");

    org.assertj.core.api.Assertions.assertThatIOException()
        .isThrownBy(() -> RepositoryReader.read(Files.writeString(file, "x")));
  }
}
