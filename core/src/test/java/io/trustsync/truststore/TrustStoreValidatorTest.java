package io.trustsync.truststore;

import io.trustsync.repository.StoreType;
import static io.trustsync.truststore.TestCertificates.NOW;
import static io.trustsync.truststore.TestCertificates.intermediate;
import static io.trustsync.truststore.TestCertificates.leaf;
import static io.trustsync.truststore.TestCertificates.root;
import static io.trustsync.truststore.TestCertificates.selfSignedSigning;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.repository.RepositoryReader;
import io.trustsync.repository.TrustStoreDirectory;
import io.trustsync.truststore.TestCertificates.Issued;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import io.trustsync.findings.ValidationOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreValidatorTest {
  private static final ValidationOptions OPTIONS = ValidationOptions.at(NOW);
  private static Issued acmeRoot;
  private static Issued acmeIntermediate;

  @TempDir Path repo;

  @BeforeAll
  static void issueChain() {
    acmeRoot = root("Acme Root CA").issue();
    acmeIntermediate = intermediate("Acme Signing CA", acmeRoot).issue();
  }

  // --- parsing (notation-core-go x509.ReadCertificateFile) ---

  @Test
  void loadsAllThreeCertificatesOfAPemBundle() throws IOException {
    Issued otherRoot = root("Acme Second Root CA").issue();
    var result = validate(StoreType.CA, Map.of("bundle.pem", acmeRoot.pem() + acmeIntermediate.pem() + otherRoot.pem()));

    assertThat(result.findings()).isEmpty();
    assertThat(result.store().certificates()).extracting(TrustedCertificate::index).containsExactly(0, 1, 2);
    assertThat(result.store().certificates()).extracting(TrustedCertificate::subject)
        .containsExactly("CN=Acme Root CA,OU=Platform,O=Acme,L=Seattle,ST=WA,C=US",
            "CN=Acme Signing CA,OU=Platform,O=Acme,L=Seattle,ST=WA,C=US",
            "CN=Acme Second Root CA,OU=Platform,O=Acme,L=Seattle,ST=WA,C=US");
    assertThat(result.store().certificates().get(0).certificate()).isEqualTo(acmeRoot.certificate());
  }

  @Test
  void loadsADerCertificate() throws IOException {
    var result = validate(StoreType.CA, Map.of("root.cer", acmeRoot.der()));

    assertThat(result.findings()).isEmpty();
    assertThat(result.store().certificates()).singleElement()
        .satisfies(c -> assertThat(c.certificate()).isEqualTo(acmeRoot.certificate()));
  }

  @Test
  void toleratesTextAroundPemBlocksAsNotationDoes() throws IOException {
    String text = "Acme root, fetched 2026-01-10\n" + acmeRoot.pem() + "garbage after the block, not base64 !!\n";
    var result = validate(StoreType.CA, Map.of("root.pem", text));

    assertThat(result.findings()).isEmpty();
    assertThat(result.store().certificates()).hasSize(1);
  }

  @Test
  void warnsWhenAPemBlockAfterTheFirstCertificateIsTruncated() throws IOException {
    String intermediatePem = acmeIntermediate.pem();
    String truncated = acmeRoot.pem() + intermediatePem.substring(0, intermediatePem.length() / 2);
    var result = validate(StoreType.CA, Map.of("bundle.pem", truncated));

    assertThat(only(result, "store.truncatedPem").severity()).isEqualTo(Severity.WARNING);
    assertThat(result.store().certificates()).hasSize(1);
  }

  @Test
  void rejectsAReadmeInsideAStore() throws IOException {
    var result = validate(StoreType.CA, Map.of("root.pem", acmeRoot.pem().getBytes(StandardCharsets.US_ASCII),
        "README.txt", "This store holds the Acme root.\n".getBytes(StandardCharsets.US_ASCII)));

    Finding finding = only(result, "store.notCertificate");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.file()).isEqualTo("truststore/x509/ca/acme/README.txt");
    assertThat(finding.message()).contains("README.txt").contains("refuses to load the whole store ca:acme");
  }

  @Test
  void rejectsAPrivateKeyInAStoreAndSaysToReplaceIt() throws IOException {
    String key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+ZAlCA3ZlXz2Jlz2mP7oC/1RyQn7c3xwjLF0W3r2Q1\n-----END PRIVATE KEY-----\n";
    var result = validate(StoreType.CA, Map.of("root.pem", acmeRoot.pem() + key));

    assertThat(only(result, "store.notCertificate").message()).contains("PRIVATE KEY").contains("replace the key");
  }

  @Test
  void rejectsAnEmptyFileSuchAsGitkeep() throws IOException {
    var result = validate(StoreType.CA, Map.of("root.pem", acmeRoot.der(), ".gitkeep", new byte[0]));

    assertThat(only(result, "store.notCertificate").message()).contains("empty");
  }

  @Test
  void rejectsAStoreWithoutCertificates() throws IOException {
    var result = validate(StoreType.CA, Map.of());

    Finding finding = only(result, "store.empty");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.file()).isEqualTo("truststore/x509/ca/acme");
    assertThat(finding.message()).contains("no x509 certificates were found");
  }

  // --- duplicates ---

  @Test
  void warnsOnTheSameCertificateTwiceAndNamesBothPlaces() throws IOException {
    var result = validate(StoreType.CA, Map.of("a-root.pem", acmeRoot.pem(), "b-bundle.pem", acmeIntermediate.pem() + acmeRoot.pem()));

    Finding finding = only(result, "store.duplicateCertificate");
    assertThat(finding.severity()).isEqualTo(Severity.WARNING);
    assertThat(finding.file()).isEqualTo("truststore/x509/ca/acme/b-bundle.pem");
    assertThat(finding.pointer()).isEqualTo("/certificates/1");
    assertThat(finding.message()).contains("certificate 2 of 2").contains("truststore/x509/ca/acme/a-root.pem");
  }

  // --- what a store may hold (notation-go ValidateCertificates, isRootCACertificate) ---

  @Test
  void rejectsASigningLeafInACaStore() throws IOException {
    Issued signer = leaf("payments", acmeIntermediate).issue();
    var result = validate(StoreType.CA, Map.of("bundle.pem", acmeRoot.pem() + signer.pem() + acmeIntermediate.pem()));

    Finding finding = only(result, "store.notCaOrSelfSigned");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.pointer()).isEqualTo("/certificates/1");
    assertThat(finding.message()).contains("certificate 2 of 3").contains("CN=payments").contains("root CA certificate");
  }

  @Test
  void acceptsAnIntermediateCaInACaStore() throws IOException {
    assertThat(validate(StoreType.CA, Map.of("intermediate.pem", acmeIntermediate.pem())).findings()).isEmpty();
  }

  @Test
  void acceptsASelfSignedNonCaSigningCertificateInASigningAuthorityStore() throws IOException {
    Issued signer = selfSignedSigning("build-bot").issue();
    var result = validate(StoreType.SIGNING_AUTHORITY, Map.of("build-bot.pem", signer.pem()));

    assertThat(result.findings()).isEmpty();
  }

  @Test
  void rejectsASigningLeafInASigningAuthorityStore() throws IOException {
    Issued signer = leaf("payments", acmeIntermediate).issue();
    var result = validate(StoreType.SIGNING_AUTHORITY, Map.of("payments.pem", signer.pem()));

    assertThat(only(result, "store.notCaOrSelfSigned").severity()).isEqualTo(Severity.ERROR);
  }

  @Test
  void acceptsASelfSignedRootInATsaStore() throws IOException {
    Issued tsaRoot = root("Acme Timestamping Root").issue();
    assertThat(validate(StoreType.TSA, Map.of("tsa-root.pem", tsaRoot.pem())).findings()).isEmpty();
  }

  @Test
  void rejectsAnIntermediateInATsaStore() throws IOException {
    var result = validate(StoreType.TSA, Map.of("tsa.pem", acmeIntermediate.pem()));

    Finding finding = only(result, "store.tsaNotRoot");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.message()).contains("does not verify with its own key").contains("issuer");
  }

  @Test
  void rejectsASelfSignedNonCaCertificateInATsaStore() throws IOException {
    var result = validate(StoreType.TSA, Map.of("tsa.pem", selfSignedSigning("tsa").issue().pem()));

    assertThat(only(result, "store.tsaNotRoot").message()).contains("cA=true");
  }

  // --- validity: warnings, because notation loads such roots ---

  @Test
  void warnsButDoesNotFailOnAnExpiredRoot() throws IOException {
    Issued expired = root("Old Root").validity(NOW.minus(Duration.ofDays(4000)), NOW.minus(Duration.ofDays(10))).issue();
    var result = validate(StoreType.CA, Map.of("old.pem", expired.pem()));

    Finding finding = only(result, "store.expired");
    assertThat(finding.severity()).isEqualTo(Severity.WARNING);
    assertThat(finding.message()).contains("expired on 2026-02-19").contains("10 days ago");
    assertThat(result.findings()).noneMatch(Finding::isError);
  }

  @Test
  void warnsOnARootThatIsNotValidYet() throws IOException {
    Issued future = root("Future Root").validity(NOW.plus(Duration.ofDays(5)), NOW.plus(Duration.ofDays(4000))).issue();
    var result = validate(StoreType.CA, Map.of("future.pem", future.pem()));

    Finding finding = only(result, "store.notYetValid");
    assertThat(finding.severity()).isEqualTo(Severity.WARNING);
    assertThat(finding.message()).contains("2026-03-06").contains("in 5 days");
  }

  @Test
  void warnsOnARootExpiringInsideTheWindowWithItsDateAndDaysLeft() throws IOException {
    Issued soon = root("Expiring Root").validity(NOW.minus(Duration.ofDays(3000)), NOW.plus(Duration.ofDays(20))).issue();
    var result = validate(StoreType.CA, Map.of("soon.pem", soon.pem()));

    Finding finding = only(result, "store.expiringSoon");
    assertThat(finding.severity()).isEqualTo(Severity.WARNING);
    assertThat(finding.message()).contains("expires on 2026-03-21").contains("in 20 days");
  }

  @Test
  void expiringSoonFollowsTheConfiguredWindow() throws IOException {
    Issued later = root("Later Root").validity(NOW.minus(Duration.ofDays(3000)), NOW.plus(Duration.ofDays(45))).issue();
    writeStore(StoreType.CA, Map.of("later.pem", later.pem()));

    assertThat(validateWritten(OPTIONS).findings()).isEmpty(); // default window: 30 days
    var wide = new ValidationOptions(NOW, Duration.ofDays(60), OPTIONS.maxFileBytes());
    assertThat(only(validateWritten(wide), "store.expiringSoon").message()).contains("in 45 days");
  }

  // --- cryptography (signature specification, Certificate Requirements) ---

  @Test
  void rejectsAnRsa1024Root() throws IOException {
    var result = validate(StoreType.CA, Map.of("weak.pem", root("Weak Root").rsa(1024).issue().pem()));

    Finding finding = only(result, "store.weakKey");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.message()).contains("RSA 1024-bit").contains("2048");
  }

  @Test
  void rejectsAnEcP224Root() throws IOException {
    var result = validate(StoreType.CA, Map.of("weak.pem", root("Small Curve Root").ec("secp224r1").issue().pem()));

    assertThat(only(result, "store.weakKey").message()).contains("EC 224-bit");
  }

  @Test
  void acceptsRsa2048AndEcP256Roots() throws IOException {
    var result = validate(StoreType.CA, Map.of(
        "rsa.pem", root("RSA Root").rsa(2048).issue().pem(), "ec.pem", root("EC Root").ec("secp256r1").issue().pem()));

    assertThat(result.findings()).isEmpty();
  }

  @Test
  void rejectsASha1SignedRoot() throws IOException {
    Issued sha1 = root("SHA-1 Root").rsa(2048).signatureAlgorithm("SHA1withRSA").issue();
    var result = validate(StoreType.CA, Map.of("sha1.pem", sha1.pem()));

    Finding finding = only(result, "store.sha1Signature");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.message()).contains("sha1WithRSAEncryption");
  }

  @Test
  void rejectsAnMd5SignedRoot() throws IOException {
    Issued md5 = root("MD5 Root").rsa(2048).signatureAlgorithm("MD5withRSA").issue();

    assertThat(only(validate(StoreType.CA, Map.of("md5.pem", md5.pem())), "store.sha1Signature").message())
        .contains("md5WithRSAEncryption");
  }

  @Test
  void acceptsSha384SignedRoot() throws IOException {
    Issued root = root("P-384 Root").ec("secp384r1").signatureAlgorithm("SHA384withECDSA").issue();
    assertThat(validate(StoreType.CA, Map.of("root.pem", root.pem())).findings()).isEmpty();
  }

  // --- extensions (signature specification, Certificate Requirements) ---

  @Test
  void warnsOnACaWhoseBasicConstraintsAreNotCritical() throws IOException {
    var result = validate(StoreType.CA, Map.of("root.pem", root("Lax Root").ca(true, false).issue().pem()));

    Finding finding = only(result, "store.basicConstraints");
    assertThat(finding.severity()).isEqualTo(Severity.WARNING);
    assertThat(finding.message()).contains("not marked critical");
  }

  @Test
  void rejectsACaWithoutKeyUsageBecauseNoChainThroughItVerifies() throws IOException {
    var result = validate(StoreType.CA, Map.of("root.pem", root("No KU Root").keyUsage(null, false).issue().pem()));

    Finding finding = only(result, "store.keyUsage");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.message()).contains("no keyUsage");
  }

  @Test
  void rejectsACaWhoseKeyUsageLacksKeyCertSign() throws IOException {
    Issued root = root("Sign-only Root").keyUsage(KeyUsage.digitalSignature | KeyUsage.cRLSign, true).issue();

    assertThat(only(validate(StoreType.CA, Map.of("root.pem", root.pem())), "store.keyUsage").message())
        .contains("without keyCertSign");
  }

  @Test
  void rejectsASelfSignedSigningCertificateWithKeyEncipherment() throws IOException {
    Issued signer = selfSignedSigning("build-bot").keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment, true).issue();
    var result = validate(StoreType.SIGNING_AUTHORITY, Map.of("bot.pem", signer.pem()));

    Finding finding = only(result, "store.keyUsage");
    assertThat(finding.severity()).isEqualTo(Severity.ERROR);
    assertThat(finding.message()).contains("keyEncipherment");
  }

  @Test
  void warnsOnASelfSignedSigningCertificateForServerAuth() throws IOException {
    Issued signer = selfSignedSigning("build-bot").extendedKeyUsage(KeyPurposeId.id_kp_serverAuth).issue();
    var result = validate(StoreType.SIGNING_AUTHORITY, Map.of("bot.pem", signer.pem()));

    Finding finding = only(result, "store.extendedKeyUsage");
    assertThat(finding.severity()).isEqualTo(Severity.WARNING);
    assertThat(finding.message()).contains("serverAuth");
  }

  @Test
  void tsaRootWithoutKeyCertSignIsRefusedLikeNotationDoes() throws IOException {
    Issued tsaRoot = root("TSA Root").keyUsage(KeyUsage.digitalSignature, true).issue();
    var result = validate(StoreType.TSA, Map.of("tsa.pem", tsaRoot.pem()));

    assertThat(only(result, "store.tsaNotRoot").message()).contains("keyCertSign");
    assertThat(result.findings()).extracting(Finding::ruleId).doesNotContain("store.keyUsage");
  }

  // --- helpers ---

  private TrustStoreValidator.Result validate(StoreType type, Map<String, ?> files) throws IOException {
    writeStore(type, files);
    return validateWritten(OPTIONS);
  }

  private void writeStore(StoreType type, Map<String, ?> files) throws IOException {
    Path store = Files.createDirectories(repo.resolve("truststore/x509/" + type.spelling() + "/acme"));
    for (var file : new LinkedHashMap<>(files).entrySet()) {
      byte[] bytes = file.getValue() instanceof String text ? text.getBytes(StandardCharsets.US_ASCII) : (byte[]) file.getValue();
      Files.write(store.resolve(file.getKey()), bytes);
    }
  }

  private TrustStoreValidator.Result validateWritten(ValidationOptions options) throws IOException {
    List<TrustStoreDirectory> stores = RepositoryReader.read(repo).sharedStores();
    assertThat(stores).hasSize(1);
    return TrustStoreValidator.validate(stores.get(0), options);
  }

  /** The one finding with this rule id; fails when there are none or several. */
  private static Finding only(TrustStoreValidator.Result result, String ruleId) {
    assertThat(result.findings()).extracting(Finding::ruleId).containsOnlyOnce(ruleId);
    return result.findings().stream().filter(f -> f.ruleId().equals(ruleId)).findFirst().orElseThrow();
  }
}
