package io.trustsync.truststore;

import io.trustsync.repository.RepoFile;
import io.trustsync.repository.TrustStoreDirectory;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import io.trustsync.findings.ValidationOptions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * Validates one trust store folder the way notation-go verifier/truststore {@code GetCertificates}
 * loads it, plus the Notary Project signature specification's certificate requirements. The
 * layout problems (symlinks, sub-directories, stray files, names, sizes) are the repository
 * reader's; this looks only inside the files it read. Pure: the time comes from the options.
 */
public final class TrustStoreValidator {

  /** The findings, and the certificates that could be parsed (in file order) for rendering and cross-checks. */
  public record Result(List<Finding> findings, LoadedTrustStore store) {
    public Result {
      findings = List.copyOf(findings);
    }
  }

  private TrustStoreValidator() {}

  public static Result validate(TrustStoreDirectory store, ValidationOptions options) {
    List<Finding> findings = new ArrayList<>();
    List<TrustedCertificate> loaded = new ArrayList<>();
    Map<String, StoredCertificate> firstByFingerprint = new HashMap<>();
    CertificateRules rules = new CertificateRules(store.type(), options);
    boolean unreadableFile = false;

    for (RepoFile file : store.files()) {
      CertificateFile contents = CertificateFile.read(file);
      if (contents.unreadable() != null) {
        unreadableFile = true;
        findings.add(notCertificate(store, file, contents.unreadable()));
        continue;
      }
      if (contents.ignoredTail() != null) {
        findings.add(Finding.warning("store.truncatedPem", file.path(),
            contents.ignoredTail() + "; notation silently ignores it. Paste the complete certificate, "
                + "from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, or delete the fragment."));
      }
      int count = contents.certificates().size();
      for (int index = 0; index < count; index++) {
        StoredCertificate stored = new StoredCertificate(trusted(file.path(), index, contents.certificates().get(index)), count);
        loaded.add(stored.certificate());
        findings.addAll(rules.check(stored));
        // store.duplicateCertificate — notation loads both copies; the second adds nothing, and
        // removing "the" certificate from one file later leaves it trusted through the other.
        StoredCertificate first = firstByFingerprint.putIfAbsent(stored.certificate().sha256Fingerprint(), stored);
        if (first != null) {
          findings.add(stored.finding("store.duplicateCertificate", Severity.WARNING,
              stored.describe() + " is the same certificate (SHA-256 " + stored.certificate().sha256Fingerprint() + ") as "
                  + first.describe() + " in " + first.file()
                  + "; keep one copy so that removing it later really removes it."));
        }
      }
    }

    // store.empty — GetCertificates: "no x509 certificates were found in trust store". When a
    // file could not be read, store.notCertificate already says why there are none.
    if (loaded.isEmpty() && !unreadableFile) {
      findings.add(Finding.error("store.empty", store.path(),
          "trust store " + store.reference() + " holds no certificate, and notation fails to load an empty store "
              + "(\"no x509 certificates were found\"); add the root CA certificate (PEM or DER) or delete the folder "
              + "and every trust policy reference to " + store.reference() + "."));
    }
    return new Result(findings, new LoadedTrustStore(store, List.copyOf(loaded)));
  }

  /**
   * store.notCertificate — notation-core-go x509.ReadCertificateFile, and notation-go's check that
   * every file of a store yields at least one certificate: one unreadable file (a README, a key,
   * an empty .gitkeep) fails the whole store, whatever its extension.
   */
  private static Finding notCertificate(TrustStoreDirectory store, RepoFile file, String reason) {
    return Finding.error("store.notCertificate", file.path(),
        "'" + file.fileName() + "' is not a certificate file: " + reason + ". notation reads every file in a trust store "
            + "and refuses to load the whole store " + store.reference() + " because of it; keep only PEM or DER "
            + "certificates in " + store.path() + " and move anything else elsewhere.");
  }

  private static TrustedCertificate trusted(String file, int index, X509Certificate cert) {
    return new TrustedCertificate(file, index, cert,
        cert.getSubjectX500Principal().getName(X500Principal.RFC2253),
        cert.getIssuerX500Principal().getName(X500Principal.RFC2253),
        cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), sha256(cert));
  }

  private static String sha256(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint a certificate the JDK just parsed", e);
    }
  }
}
