package io.trustsync.source;

import io.trustsync.source.SignatureVerdict.Type;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Decides whether a commit is signed by a trusted key. Only the commit itself is checked (Flux's
 * {@code verify.mode: HEAD}): the operator applies exactly that commit's tree, so that is the
 * content whose origin matters.
 */
public final class CommitSignatureVerifier {

  private final TrustedPgpKeys pgpKeys;
  private final TrustedSshKeys sshKeys;

  private CommitSignatureVerifier(TrustedPgpKeys pgpKeys, TrustedSshKeys sshKeys) {
    this.pgpKeys = pgpKeys;
    this.sshKeys = sshKeys;
  }

  /**
   * Trusted keys from text: any number of ASCII-armored PGP public key blocks and SSH public key
   * lines (authorized_keys or allowed_signers style), in any order.
   *
   * @throws IllegalArgumentException naming the key that cannot be read
   */
  public static CommitSignatureVerifier fromText(String trustedKeys) {
    String text = trustedKeys == null ? "" : trustedKeys;
    String withoutPgpBlocks = text.replaceAll(
        "(?s)-----BEGIN PGP PUBLIC KEY BLOCK-----.*?-----END PGP PUBLIC KEY BLOCK-----", "");
    return new CommitSignatureVerifier(TrustedPgpKeys.fromText(text), TrustedSshKeys.fromText(withoutPgpBlocks));
  }

  public boolean hasTrustedKeys() {
    return !pgpKeys.isEmpty() || !sshKeys.isEmpty();
  }

  public SignatureVerdict verify(RevCommit commit) {
    return verify(commit.getRawBuffer());
  }

  /** Verifies a commit object as stored by git (without the {@code "commit <size>\0"} header). */
  public SignatureVerdict verify(byte[] rawCommit) {
    SignedCommit commit = SignedCommit.parse(rawCommit);
    String signature = commit.signature();
    if (signature == null) {
      return SignatureVerdict.unsigned();
    }
    String armor = signature.trim();
    if (armor.startsWith("-----BEGIN PGP SIGNATURE-----")) {
      return pgpKeys.verify(commit.payload(), signature);
    }
    if (armor.startsWith("-----BEGIN SSH SIGNATURE-----")) {
      return sshKeys.verify(commit.payload(), signature);
    }
    if (armor.startsWith("-----BEGIN SIGNED MESSAGE-----")) {
      return SignatureVerdict.rejected(Type.X509, null,
          "commit has an X.509 (gpgsm) signature; only PGP and SSH signatures can be trusted");
    }
    return SignatureVerdict.rejected(Type.NONE, null, "commit signature is in an unknown format");
  }
}
