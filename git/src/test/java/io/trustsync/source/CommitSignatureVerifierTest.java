package io.trustsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustsync.source.SignatureVerdict.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Commit signatures made by the real git and ssh-keygen (SSH) and by a BouncyCastle key written
 * the way git writes it (PGP), checked by the verifier and, where git can, by git verify-commit.
 */
class CommitSignatureVerifierTest {

  @TempDir Path temp;
  GitWorkTree repo;

  @BeforeEach
  void setUp() {
    repo = GitWorkTree.init(temp.resolve("repo"));
    repo.write("trustpolicy.json", "{}");
  }

  @Test
  void unsignedCommitIsNotTrusted() {
    String id = repo.commit("unsigned");

    SignatureVerdict verdict = CommitSignatureVerifier.fromText(PgpTestKey.generate("A <a@x>").armoredPublicKey())
        .verify(repo.rawCommit(id));

    assertThat(verdict).isEqualTo(new SignatureVerdict(false, Type.NONE, null, false, "commit is not signed"));
  }

  @Test
  void pgpSignatureByATrustedKeyIsTrustedAndGitAgrees() throws Exception {
    PgpTestKey key = PgpTestKey.generate("Alice <alice@example.org>");
    String id = repo.storeCommit(pgpSigned(repo.commit("signed\n\nwith a body\n"), key));

    SignatureVerdict verdict = CommitSignatureVerifier.fromText(key.armoredPublicKey()).verify(repo.rawCommit(id));

    assertThat(verdict.trusted()).as(verdict.reason()).isTrue();
    assertThat(verdict.type()).isEqualTo(Type.PGP);
    assertThat(verdict.keyFingerprint()).isEqualTo(key.fingerprint());
    assertThat(gpgVerifyCommit(key, id)).as("git verify-commit with gpg").contains("Good signature");
  }

  @Test
  void pgpSignatureByAnotherKeyIsNotTrusted() {
    PgpTestKey trusted = PgpTestKey.generate("Alice <alice@example.org>");
    PgpTestKey stranger = PgpTestKey.generate("Mallory <mallory@example.org>");
    byte[] raw = pgpSigned(repo.commit("signed"), stranger);

    SignatureVerdict verdict = CommitSignatureVerifier.fromText(trusted.armoredPublicKey()).verify(raw);

    assertThat(verdict.signed()).isTrue();
    assertThat(verdict.trusted()).isFalse();
    assertThat(verdict.keyFingerprint()).isEqualTo(stranger.fingerprint());
    assertThat(verdict.reason()).isEqualTo("signed by PGP key " + stranger.fingerprint() + ", which is not a trusted key");
  }

  @Test
  void pgpSignedCommitAlteredAfterSigningIsNotTrusted() {
    PgpTestKey key = PgpTestKey.generate("Alice <alice@example.org>");
    byte[] raw = pgpSigned(repo.commit("allow registry.example.org"), key);
    byte[] tampered = new String(raw, StandardCharsets.UTF_8)
        .replace("allow registry.example.org", "allow evil.example.org").getBytes(StandardCharsets.UTF_8);

    SignatureVerdict verdict = CommitSignatureVerifier.fromText(key.armoredPublicKey()).verify(tampered);

    assertThat(verdict.trusted()).isFalse();
    assertThat(verdict.reason()).contains("does not match the commit content");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "rsa", "ecdsa"})
  void sshSignatureMadeByGitIsTrustedForTheAllowedKey(String keyType) throws Exception {
    Path key = sshKey(keyType, "alice");
    String id2 = sshSignedCommit(key, "ssh signed\n\nwith a body\n");

    SignatureVerdict verdict = CommitSignatureVerifier.fromText(allowedSigner(key)).verify(repo.rawCommit(id2));

    assertThat(verdict.trusted()).as(verdict.reason()).isTrue();
    assertThat(verdict.type()).isEqualTo(Type.SSH);
    assertThat(verdict.keyFingerprint()).isEqualTo(sshFingerprint(key));
    assertThat(repo.git("-c", "gpg.ssh.allowedSignersFile=" + allowedSignersFile(key), "verify-commit", "--raw", id2))
        .isNotNull(); // throws when git itself refuses the signature
  }

  @Test
  void sshSignatureByAnUnlistedKeyIsNotTrusted() throws Exception {
    Path signer = sshKey("ed25519", "mallory");
    Path trusted = sshKey("ed25519", "alice");
    String id = sshSignedCommit(signer, "signed");

    SignatureVerdict verdict = CommitSignatureVerifier.fromText(allowedSigner(trusted)).verify(repo.rawCommit(id));

    assertThat(verdict.trusted()).isFalse();
    assertThat(verdict.reason()).isEqualTo("signed by SSH key " + sshFingerprint(signer) + ", which is not a trusted key");
  }

  @Test
  void sshSignedCommitAlteredAfterSigningIsNotTrusted() throws Exception {
    Path key = sshKey("ed25519", "alice");
    byte[] raw = repo.rawCommit(sshSignedCommit(key, "signed"));
    byte[] tampered = new String(raw, StandardCharsets.UTF_8).replace("author Alice", "author Mallory")
        .getBytes(StandardCharsets.UTF_8);

    SignatureVerdict verdict = CommitSignatureVerifier.fromText(allowedSigner(key)).verify(tampered);

    assertThat(verdict.trusted()).isFalse();
    assertThat(verdict.reason()).contains("does not match the commit content");
  }

  @Test
  void sshSignatureForAnotherNamespaceIsNotTrusted() throws Exception {
    Path key = sshKey("ed25519", "alice");
    byte[] unsigned = repo.rawCommit(repo.commit("signed as a file"));
    Path payload = Files.write(temp.resolve("payload"), unsigned);
    run("ssh-keygen", "-q", "-Y", "sign", "-n", "file", "-f", key.toString(), payload.toString());
    String signature = Files.readString(temp.resolve("payload.sig"));

    SignatureVerdict verdict = CommitSignatureVerifier.fromText(allowedSigner(key))
        .verify(PgpTestKey.withSignature(unsigned, signature));

    assertThat(verdict.trusted()).isFalse();
    assertThat(verdict.reason()).isEqualTo("SSH signature is for namespace 'file', not 'git'");
  }

  @Test
  void x509SignatureIsNotTrusted() {
    byte[] raw = PgpTestKey.withSignature(repo.rawCommit(repo.commit("gpgsm")),
        "-----BEGIN SIGNED MESSAGE-----\nMIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIB\n-----END SIGNED MESSAGE-----");

    SignatureVerdict verdict = CommitSignatureVerifier.fromText("").verify(raw);

    assertThat(verdict.signed()).isTrue();
    assertThat(verdict.type()).isEqualTo(Type.X509);
    assertThat(verdict.trusted()).isFalse();
  }

  @Test
  void theFetcherReportsTheVerdictOfTheResolvedCommit() throws Exception {
    PgpTestKey key = PgpTestKey.generate("Alice <alice@example.org>");
    String id = repo.storeCommit(pgpSigned(repo.commit("signed"), key));
    GitSource source = GitSource.of(repo.url()).withTrustedKeys(key.armoredPublicKey());

    FetchResult result = new GitFetcher(temp.resolve("cache"), SourceRules.DEFAULT.allowingLocal()).fetch("k", source);

    assertThat(result.commitId()).isEqualTo(id);
    assertThat(result.signature().trusted()).isTrue();
    assertThat(result.signature().keyFingerprint()).isEqualTo(key.fingerprint());
  }

  @Test
  void unreadableTrustedKeysAreReportedByLine() {
    assertThatThrownBy(() -> CommitSignatureVerifier.fromText("# team keys\nalice@example.org ssh-ed25519 AAAAnotbase64!"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trusted SSH key on line 2 cannot be read");
  }

  private byte[] pgpSigned(String unsignedId, PgpTestKey key) {
    byte[] unsigned = repo.rawCommit(unsignedId);
    return PgpTestKey.withSignature(unsigned, key.sign(unsigned));
  }

  /** A commit signed by git itself, which runs {@code ssh-keygen -Y sign -n git}. */
  private String sshSignedCommit(Path key, String message) {
    repo.git("add", "--all");
    repo.git("-c", "gpg.format=ssh", "-c", "user.signingkey=" + key, "commit", "--quiet", "-S", "-m", message);
    return repo.head();
  }

  private Path sshKey(String type, String name) throws IOException, InterruptedException {
    Path key = temp.resolve(name + "-" + type);
    run("ssh-keygen", "-q", "-t", type, "-N", "", "-C", name + "@example.org", "-f", key.toString());
    return key;
  }

  private String allowedSigner(Path key) throws IOException {
    return "alice@example.org namespaces=\"git\" " + Files.readString(Path.of(key + ".pub")).strip();
  }

  private Path allowedSignersFile(Path key) throws IOException {
    return Files.writeString(temp.resolve("allowed_signers"), allowedSigner(key) + "\n");
  }

  private String sshFingerprint(Path key) throws IOException, InterruptedException {
    return run("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").split(" ")[1];
  }

  private String gpgVerifyCommit(PgpTestKey key, String id) throws IOException, InterruptedException {
    Path home = Files.createDirectories(temp.resolve("gnupg"));
    Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Path keyFile = Files.writeString(temp.resolve("key.asc"), key.armoredPublicKey());
    run(List.of("gpg", "--homedir", home.toString(), "--batch", "--import", keyFile.toString()));
    ProcessBuilder verify = new ProcessBuilder("git", "-C", repo.dir().toString(), "verify-commit", id).redirectErrorStream(true);
    verify.environment().put("GNUPGHOME", home.toString());
    verify.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
    Process process = verify.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(60, TimeUnit.SECONDS);
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private static String run(String... command) throws IOException, InterruptedException {
    return run(List.of(command));
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(command + " failed: " + output);
    }
    return output;
  }
}
