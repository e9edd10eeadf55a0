package io.trustsync.truststore;

import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;

/**
 * A certificate with what a finding needs to point at it: the file, and its place in the file
 * when the file holds several ({@code /certificates/<index>} and "certificate 2 of 3").
 */
record StoredCertificate(TrustedCertificate certificate, int certificatesInFile) {

  String file() {
    return certificate.file();
  }

  String pointer() {
    return certificatesInFile > 1 ? "/certificates/" + certificate.index() : "";
  }

  /** "certificate 2 of 3 (CN=...)" or "certificate CN=..." for a file holding one. */
  String describe() {
    if (certificatesInFile > 1) {
      return "certificate " + (certificate.index() + 1) + " of " + certificatesInFile + " (" + certificate.subject() + ")";
    }
    return "certificate " + certificate.subject();
  }

  Finding finding(String ruleId, Severity severity, String message) {
    return new Finding(ruleId, severity, file(), pointer(), 0, 0, message);
  }
}
