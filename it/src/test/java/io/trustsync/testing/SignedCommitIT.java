package io.trustsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trustsync.local.GitCommit;
import io.trustsync.local.LocalGitRepository;
import io.trustsync.local.LocalGitServer;
import io.trustsync.local.PgpCommitSigner;
import io.trustsync.local.SshCommitSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commits the fixture signs are accepted by the real {@code git verify-commit}. */
class SignedCommitIT {

  private static final String SIGNER = "trustsync-release@example.com";

  private static LocalGitServer git;
  private static LocalGitRepository repository;

  @TempDir Path work;

  @BeforeAll
  static void startServer() {
    git = LocalGitServer.launch();
    repository = git.createRepository("signed");
  }

  @AfterAll
  static void stopServer() {
    git.close();
  }

  @Test
  void sshSignedCommitVerifiesAgainstItsAllowedSignerOnly() throws Exception {
    SshCommitSigner signer = SshCommitSigner.generate();
    String commit = repository.commit(GitCommit.of(Map.of("trustpolicy.json", "{}"))
        .by("Release Bot", SIGNER, Instant.parse("2026-01-02T03:04:05Z")).signedBy(signer));

    Path allowed = Files.writeString(work.resolve("allowed_signers"), signer.allowedSignersLine(SIGNER) + "\n");
    GitCommand good = verify(commit, Map.of(), "-c", "gpg.ssh.allowedSignersFile=" + allowed).assertSucceeded();
    assertThat(good.output()).contains("Good \"git\" signature for " + SIGNER);

    Path stranger = Files.writeString(work.resolve("other_signers"),
        SshCommitSigner.generate().allowedSignersLine(SIGNER) + "\n");
    assertThat(verify(commit, Map.of(), "-c", "gpg.ssh.allowedSignersFile=" + stranger).exitCode()).isNotZero();
  }

  @Test
  void pgpSignedCommitVerifiesWithGpg() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/gpg")), "no gpg binary: cannot verify an OpenPGP signature here");
    PgpCommitSigner signer = PgpCommitSigner.generate("Release Bot <" + SIGNER + ">");
    String commit = repository.commit(GitCommit.of(Map.of("trustpolicy.json", "{\"v\": 2}")).signedBy(signer));

    Path gnupgHome = Files.createDirectory(work.resolve("gnupg"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    Path key = Files.writeString(work.resolve("key.asc"), signer.armoredPublicKey());
    Map<String, String> gpg = Map.of("GNUPGHOME", gnupgHome.toString());
    GitCommand.run(work, gpg, "gpg", "--batch", "--import", key.toString()).assertSucceeded();

    GitCommand result = verify(commit, gpg).assertSucceeded();
    assertThat(result.output()).contains("Good signature from \"Release Bot <" + SIGNER + ">\"")
        .contains(signer.fingerprint().substring(24));
  }

  @Test
  void unsignedCommitFailsVerification() throws Exception {
    String commit = repository.commit(GitCommit.of(Map.of("trustpolicy.json", "{\"v\": 3}")));

    assertThat(verify(commit, Map.of()).exitCode()).isNotZero();
  }

  @Test
  void commitsAFolderAsTheWholeTreeAndClonesItBack() throws Exception {
    Path folder = Files.createDirectories(work.resolve("policy-repo/environments/prod"));
    Files.writeString(folder.resolve("trustpolicy.json"), "{\"version\": \"1.0\"}");
    Files.writeString(work.resolve("policy-repo/README.md"), "policies\n");
    LocalGitRepository fromFolder = git.createRepository("from-folder");
    String commit = fromFolder.commit(GitCommit.fromDirectory(work.resolve("policy-repo")).withMessage("Import"));

    try (Git clone = Git.cloneRepository().setURI(fromFolder.httpUrl().toString())
        .setDirectory(work.resolve("clone").toFile()).call()) {
      assertThat(clone.getRepository().resolve("HEAD").name()).isEqualTo(commit);
    }
    assertThat(work.resolve("clone/environments/prod/trustpolicy.json")).hasContent("{\"version\": \"1.0\"}");
    assertThat(work.resolve("clone/README.md")).hasContent("policies\n");
  }

  private GitCommand verify(String commit, Map<String, String> env, String... config) throws Exception {
    String[] command = new String[config.length + 5];
    command[0] = "git";
    command[1] = "--git-dir=" + repository.directory();
    System.arraycopy(config, 0, command, 2, config.length);
    command[config.length + 2] = "verify-commit";
    command[config.length + 3] = "-v";
    command[config.length + 4] = commit;
    return GitCommand.run(work, env, command);
  }
}
