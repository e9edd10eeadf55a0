package io.trustsync.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.trustpolicy.TrustedIdentities;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import io.trustsync.validation.AcceptedEnvironment;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * Decides whether an artifact's Notation signatures verify under a trust policy and trust stores,
 * as notation v1.3 ({@code notation verify}, notation-go v1.3.2) decides, offline and without
 * plugins. Each rule names the notation-go source it follows.
 *
 * <ol>
 *   <li>Statement (verifier/trustpolicy/oci.go GetApplicableTrustPolicy): the reference must be
 *       {@code registry/repository@digest}; the statement whose registryScopes contain
 *       {@code registry/repository} applies, else the one with "*"; none is a failure.
 *   <li>Level (trustpolicy.go GetVerificationLevel): strict, permissive, audit or skip with the
 *       statement's overrides; "skip" passes without looking at any signature (notation.go Verify
 *       asks SkipVerify first).
 *   <li>The reference's digest must be the manifest's (notation.go Verify: "user input digest").
 *   <li>No signature fails; at most {@link #MAX_SIGNATURES} are examined (notation's
 *       {@code --max-signatures} default); the artifact passes when any one passes, failures of
 *       the others notwithstanding.
 *   <li>Per signature (verifier.go processSignature, in its order, stopping at the first enforced
 *       failure): integrity (the envelope parses, its signature and chain hold: always enforced,
 *       {@link NotationEnvelope#integrityProblem}); authenticity (a certificate of the chain is
 *       byte-equal to one of the statement's stores of the type the signing scheme reads: {@code
 *       ca} for notary.x509, {@code signingAuthority} for notary.x509.signingAuthority; then the
 *       leaf matches a trusted identity, {@link TrustedIdentities}); expiry (expired when now is
 *       not before {@code io.cncf.notary.expiry}); authentic timestamp; revocation; then the
 *       payload's {@code targetArtifact.digest} must be the manifest's (verifier.go Verify,
 *       "content descriptor mismatch", enforced whatever the level).
 * </ol>
 *
 * <p>Authentic timestamp (verifier.go verifyAuthenticTimestamp, verifyTimestamp): under
 * notary.x509 without a {@code tsa} store in the statement (or with {@code verifyTimestamp:
 * afterCertExpiry} and no certificate expired) every certificate of the chain must be valid at
 * {@code now}; with a {@code tsa} store the envelope must carry a timestamp countersignature. Under
 * notary.x509.signingAuthority every certificate must be valid at the signing time.
 *
 * <p>Deliberately not done, each reported rather than guessed: an RFC 3161 countersignature is not
 * verified (with a {@code tsa} store, a signature that has one fails authenticTimestamp with that
 * reason, where notation would check it); OCSP and CRL are not queried, so a certificate of the
 * chain (other than the root) that names an OCSP responder or CRL distribution point has its
 * revocation status unknown, exactly what notation reports when it cannot reach them (the
 * certificates {@code notation cert generate-test} makes name neither, so notation and TrustSync
 * find them non-revokable and pass); verification plugins are not run, so a signature that requires
 * one fails. Only the digest of {@code targetArtifact} is compared (notation also compares its
 * media type and size with the descriptor the registry returned, which a caller holding only the
 * digest cannot supply; the digest fixes the manifest's bytes).
 */
public final class NotationVerifier {
  /** notation verify's {@code --max-signatures} default. */
  public static final int MAX_SIGNATURES = 100;
  private static final String PLUGIN = "io.cncf.notary.verificationPlugin";
  private static final String OCSP = "1.3.6.1.5.5.7.48.1";
  private static final DateTimeFormatter RFC1123Z = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private NotationVerifier() {}

  /**
   * Verifies the signatures of an environment's accepted trust policy, with its trust stores.
   *
   * @see #verify(String, String, List, TrustPolicyDocument, Map, Instant)
   */
  public static Verdict verify(String artifactReference, String manifestDigest, List<SignatureBlob> signatures,
      AcceptedEnvironment environment, Instant now) {
    Map<String, List<X509Certificate>> stores = new LinkedHashMap<>();
    for (LoadedTrustStore store : environment.stores()) {
      stores.put(store.reference(), store.certificates().stream().map(TrustedCertificate::certificate).toList());
    }
    return verify(artifactReference, manifestDigest, signatures, environment.policy(), stores, now);
  }

  /**
   * Verifies {@code signatures} of the manifest {@code manifestDigest}, referenced as {@code
   * artifactReference} ({@code registry/repository@sha256:...}), under {@code policy} (a document
   * that passed TrustPolicyValidator: notation verifies nothing under an invalid one).
   *
   * @param stores each trust store the policy may name, by its policy reference ({@code
   *     ca:acme-root}; {@code ca/acme-root} is read the same), with its certificates
   * @param now the time of verification, for expiry and certificate validity
   */
  public static Verdict verify(String artifactReference, String manifestDigest, List<SignatureBlob> signatures,
      TrustPolicyDocument policy, Map<String, List<X509Certificate>> stores, Instant now) {
    int at = artifactReference.lastIndexOf('@');
    if (at < 0) {
      return refused(null, null, "artifact reference \"" + artifactReference + "\" has no digest; pass the fully qualified reference"
          + " registry/repository@sha256:<digest> (notation resolves tags to a digest before it verifies)");
    }
    String path = artifactReference.substring(0, at);
    if (!TrustPolicyDocument.isRegistryScope(path)) {
      return refused(null, null, "artifact reference \"" + artifactReference + "\": \"" + path + "\" is not a registry/repository"
          + " without scheme or tag, e.g. registry.example.com:5000/team/app");
    }
    TrustPolicyStatement statement = statement(policy, path);
    if (statement == null) {
      return refused(null, null, "artifact \"" + artifactReference + "\" has no applicable trust policy statement in " + policy.file()
          + ": no statement's registryScopes contain \"" + path + "\" or \"*\"");
    }
    VerificationLevel level;
    switch (VerificationLevel.of(statement)) {
      case VerificationLevel.Resolved resolved -> level = resolved.level();
      case VerificationLevel.Refused refused -> {
        return refused(statement.name(), null, "the trust policy " + policy.file() + " is invalid, so notation verifies nothing: "
            + refused.reason());
      }
    }
    if (level.skip()) {
      return new Verdict(true, statement.name(), level.name(), List.of(),
          "statement \"" + statement.name() + "\" skips signature verification for " + path + " (level skip): not verified, accepted");
    }
    String referenced = artifactReference.substring(at + 1);
    if (!referenced.equals(manifestDigest)) {
      return refused(statement.name(), level.name(), "the reference's digest " + referenced + " is not the manifest's digest "
          + manifestDigest + "; verify the manifest the reference names");
    }
    if (signatures.isEmpty()) {
      return refused(statement.name(), level.name(), "no signature is associated with \"" + artifactReference
          + "\"; sign it (notation sign) or check that its signatures were copied with it");
    }
    List<SignatureOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < signatures.size() && i < MAX_SIGNATURES; i++) {
      outcomes.add(new Evaluation(i, signatures.get(i), statement, level, stores, manifestDigest, now).run());
    }
    Optional<SignatureOutcome> good = outcomes.stream().filter(SignatureOutcome::passed).findFirst();
    String under = "statement \"" + statement.name() + "\" (" + level.name() + ")";
    if (good.isPresent()) {
      SignatureOutcome outcome = good.get();
      List<CheckResult> logged = outcome.failures();
      return new Verdict(true, statement.name(), level.name(), outcomes, "signed by \"" + outcome.signer() + "\" (" + outcome.format()
          + "), verified under " + under + (logged.isEmpty() ? ""
              : "; logged, not enforced: " + String.join("; ", logged.stream().map(c -> c.check().spelling() + ": " + c.failure()).toList())));
    }
    String first = outcomes.getFirst().reason();
    if (signatures.size() > MAX_SIGNATURES) {
      return new Verdict(false, statement.name(), level.name(), outcomes, "signature evaluation stopped: none of the first " + MAX_SIGNATURES
          + " of " + signatures.size() + " signatures verifies under " + under + " (first: " + first + ")");
    }
    return new Verdict(false, statement.name(), level.name(), outcomes, (signatures.size() == 1 ? "the signature does not verify"
        : "none of the " + signatures.size() + " signatures verifies") + " under " + under + ": " + first);
  }

  private static Verdict refused(String statement, String level, String reason) {
    return new Verdict(false, statement, level, List.of(), reason);
  }

  /** The statement scoped to {@code path}, else the last one scoped to "*" (the last match wins, as in Go's loop). */
  private static TrustPolicyStatement statement(TrustPolicyDocument policy, String path) {
    TrustPolicyStatement wildcard = null;
    TrustPolicyStatement exact = null;
    for (TrustPolicyStatement statement : policy.statements()) {
      if (statement.registryScopes().contains("*")) {
        wildcard = statement;
      } else if (statement.registryScopes().contains(path)) {
        exact = statement;
      }
    }
    return exact != null ? exact : wildcard;
  }

  /** One signature through verifier.go processSignature, then the payload check of Verify. */
  private static final class Evaluation {
    private final int index;
    private final SignatureBlob blob;
    private final TrustPolicyStatement statement;
    private final VerificationLevel level;
    private final Map<String, List<X509Certificate>> stores;
    private final String manifestDigest;
    private final Instant now;
    private final List<CheckResult> checks = new ArrayList<>();
    private NotationEnvelope envelope;

    Evaluation(int index, SignatureBlob blob, TrustPolicyStatement statement, VerificationLevel level,
        Map<String, List<X509Certificate>> stores, String manifestDigest, Instant now) {
      this.index = index;
      this.blob = blob;
      this.statement = statement;
      this.level = level;
      this.stores = stores;
      this.manifestDigest = manifestDigest;
      this.now = now;
    }

    SignatureOutcome run() {
      String stop = process();
      if (stop == null) {
        stop = payloadMismatch();
      }
      String format = SignatureFormat.ofMediaType(blob.mediaType()).map(SignatureFormat::spelling).orElse(null);
      if (envelope == null) {
        return new SignatureOutcome(index, format, null, null, null, null, null, null, checks, false, stop);
      }
      X509Certificate leaf = envelope.certificateChain().getFirst();
      return new SignatureOutcome(index, format, CodeSigningChain.subject(leaf),
          leaf.getIssuerX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253),
          fingerprint(envelope.certificateChain().getLast()), envelope.signingScheme(), envelope.signingTime(), envelope.expiry(),
          checks, stop == null, stop);
    }

    /** null when every enforced check passed, else the reason the signature fails. */
    private String process() {
      try {
        envelope = NotationEnvelope.parse(blob.mediaType(), blob.envelope());
      } catch (EnvelopeException e) {
        return fail(Check.INTEGRITY, "unable to parse the digital signature: " + e.getMessage());
      }
      Optional<String> integrity = envelope.integrityProblem();
      if (integrity.isPresent()) {
        return fail(Check.INTEGRITY, integrity.get());
      }
      record(Check.INTEGRITY, null);
      for (NotationEnvelope.Attribute attribute : envelope.extendedAttributes()) {
        if (PLUGIN.equals(attribute.key())) {
          return "the signature requires the verification plugin " + attribute.value() + " (" + PLUGIN
              + "); TrustSync runs no plugins, and notation fails such a signature unless the plugin is installed";
        }
      }
      String authenticity = authenticity();
      String identity = TrustedIdentities.mismatch(statement.name(), statement.trustedIdentities(), envelope.certificateChain().getFirst())
          .orElse(null);
      if (authenticity != null && action(Check.AUTHENTICITY) == Action.ENFORCE) {
        return fail(Check.AUTHENTICITY, authenticity);
      }
      String combined = authenticity == null ? identity : identity == null ? authenticity : authenticity + "; and " + identity;
      if (record(Check.AUTHENTICITY, combined)) {
        return combined;
      }
      if (record(Check.EXPIRY, expired())) {
        return checks.getLast().failure();
      }
      if (record(Check.AUTHENTIC_TIMESTAMP, timestamp())) {
        return checks.getLast().failure();
      }
      if (action(Check.REVOCATION) != Action.SKIP && record(Check.REVOCATION, revocation())) {
        return checks.getLast().failure();
      }
      return null;
    }

    /** verifier.go loadX509TrustStores then signature.VerifyAuthenticity. */
    private String authenticity() {
      String type = envelope.signingScheme().equals(NotationEnvelope.SCHEME_X509) ? "ca" : "signingAuthority";
      List<X509Certificate> trusted = new ArrayList<>();
      Set<String> loaded = new LinkedHashSet<>();
      for (String reference : statement.trustStores()) {
        int colon = reference.indexOf(':');
        if (colon < 0) {
          return "trust policy statement \"" + statement.name() + "\" is missing separator in trust store value \"" + reference
              + "\"; write <type>:<name>, e.g. ca:acme-root";
        }
        if (!reference.substring(0, colon).equals(type) || !loaded.add(reference)) {
          continue;
        }
        String name = reference.substring(colon + 1);
        List<X509Certificate> certificates = stores.containsKey(reference) ? stores.get(reference) : stores.get(type + "/" + name);
        if (certificates == null) {
          return "the trust store \"" + name + "\" of type \"" + type + "\" does not exist (it would be truststore/x509/" + type + "/" + name
              + "/); add it, or fix trustStores of statement \"" + statement.name() + "\"";
        }
        for (X509Certificate certificate : certificates) {
          if (certificate.getBasicConstraints() < 0 && !selfSigned(certificate)) {
            return "trust store " + reference + " holds \"" + CodeSigningChain.subject(certificate) + "\", which is not a CA certificate or"
                + " self-signed signing certificate; notation refuses the store";
          }
        }
        if (certificates.isEmpty()) {
          return "no x509 certificates were found in trust store \"" + name + "\" of type \"" + type + "\"";
        }
        trusted.addAll(certificates);
      }
      if (trusted.isEmpty()) {
        return "no trusted certificates are found to verify authenticity: statement \"" + statement.name() + "\" names no " + type
            + " store, and a " + envelope.signingScheme() + " signature is checked against " + type + " stores only";
      }
      for (X509Certificate certificate : envelope.certificateChain()) {
        for (X509Certificate anchor : trusted) {
          if (sameCertificate(certificate, anchor)) {
            return null;
          }
        }
      }
      return "the signature's certificate chain does not contain any trusted certificate: none of " + envelope.certificateChain().size()
          + " (root \"" + CodeSigningChain.subject(envelope.certificateChain().getLast()) + "\") is in " + statement.trustStores();
    }

    /** verifier.go verifyExpiry: expired when now is not before the expiry. */
    private String expired() {
      Instant expiry = envelope.expiry();
      return expiry != null && !now.isBefore(expiry) ? "digital signature has expired on \"" + RFC1123Z.format(expiry) + "\"" : null;
    }

    /** verifier.go verifyAuthenticTimestamp / verifyTimestamp. */
    private String timestamp() {
      List<X509Certificate> chain = envelope.certificateChain();
      if (envelope.signingScheme().equals(NotationEnvelope.SCHEME_SIGNING_AUTHORITY)) {
        Instant signed = envelope.signingTime();
        for (X509Certificate cert : chain) {
          if (signed.isBefore(cert.getNotBefore().toInstant()) || signed.isAfter(cert.getNotAfter().toInstant())) {
            return "certificate \"" + CodeSigningChain.subject(cert) + "\" was not valid when the digital signature was produced at \""
                + RFC1123Z.format(signed) + "\"";
          }
        }
        return null;
      }
      boolean tsa = statement.trustStores().stream().anyMatch(s -> s.startsWith("tsa:"));
      if (tsa && statement.verifyTimestamp().equals("afterCertExpiry")
          && chain.stream().noneMatch(cert -> now.isAfter(cert.getNotAfter().toInstant()))) {
        tsa = false;
      }
      if (!tsa) {
        for (X509Certificate cert : chain) {
          if (now.isBefore(cert.getNotBefore().toInstant())) {
            return "verification time is before certificate \"" + CodeSigningChain.subject(cert) + "\" validity period, it will be valid from \""
                + RFC1123Z.format(cert.getNotBefore().toInstant()) + "\"";
          }
          if (now.isAfter(cert.getNotAfter().toInstant())) {
            return "verification time is after certificate \"" + CodeSigningChain.subject(cert) + "\" validity period, it was expired at \""
                + RFC1123Z.format(cert.getNotAfter().toInstant()) + "\"";
          }
        }
        return null;
      }
      if (envelope.timestampSignature() == null || envelope.timestampSignature().length == 0) {
        return "no timestamp countersignature was found in the signature envelope (statement \"" + statement.name()
            + "\" names a tsa store, so the signature must be timestamped: notation sign --timestamp-url ...)";
      }
      return "the signature's RFC 3161 timestamp countersignature was not verified: TrustSync does not verify timestamps yet"
          + " (notation would check it against the statement's tsa stores)";
    }

    /**
     * revocation.go ValidateContext offline: the root is never checked; a certificate naming
     * neither an OCSP responder nor a CRL distribution point is non-revokable (passes); one that
     * names either would need the network, so its status is unknown (fails where enforced).
     */
    private String revocation() {
      List<X509Certificate> chain = envelope.certificateChain();
      for (int i = chain.size() - 2; i >= 0; i--) {
        X509Certificate cert = chain.get(i);
        if (hasOcspServer(cert) || hasCrlDistributionPoint(cert)) {
          return "signing certificate with subject \"" + CodeSigningChain.subject(cert) + "\" revocation status is unknown: it names an"
              + " OCSP responder or CRL distribution point, and TrustSync does not query them";
        }
      }
      return null;
    }

    /** verifier.go Verify: the payload's targetArtifact must be the artifact verified. */
    private String payloadMismatch() {
      JsonNode payload;
      try {
        payload = JSON.readTree(envelope.payload());
      } catch (java.io.IOException e) {
        return replaceIntegrity("the signature payload is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
      JsonNode target = JwsEnvelopes.field(payload, "targetArtifact");
      JsonNode digest = JwsEnvelopes.field(target, "digest");
      if (target == null || !target.isObject() || (digest != null && !digest.isTextual() && !digest.isNull())) {
        return replaceIntegrity("the signature payload has no targetArtifact descriptor: " + envelope.payloadText());
      }
      String signed = digest == null || digest.isNull() ? "" : digest.asText();
      if (!signed.equals(manifestDigest)) {
        return replaceIntegrity("content descriptor mismatch: the signature is for " + (signed.isEmpty() ? "no digest" : signed)
            + ", not for this artifact " + manifestDigest + " (a signature copied from another artifact)");
      }
      return null;
    }

    private String replaceIntegrity(String failure) {
      checks.replaceAll(c -> c.check() == Check.INTEGRITY ? new CheckResult(Check.INTEGRITY, Action.ENFORCE, failure) : c);
      return failure;
    }

    private Action action(Check check) {
      return level.action(check);
    }

    /** Records a check; true when its failure is enforced (the signature stops there). */
    private boolean record(Check check, String failure) {
      CheckResult result = new CheckResult(check, action(check), failure);
      checks.add(result);
      return result.enforcedFailure();
    }

    private String fail(Check check, String failure) {
      checks.add(new CheckResult(check, check == Check.INTEGRITY ? Action.ENFORCE : action(check), failure));
      return failure;
    }
  }

  private static boolean selfSigned(X509Certificate certificate) {
    try {
      certificate.verify(certificate.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static boolean sameCertificate(X509Certificate a, X509Certificate b) {
    try {
      return Arrays.equals(a.getEncoded(), b.getEncoded());
    } catch (CertificateEncodingException e) {
      return false;
    }
  }

  static String fingerprint(X509Certificate certificate) {
    try {
      return CodeSigningChain.lowerHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint " + certificate.getSubjectX500Principal(), e);
    }
  }

  /** crypto/x509 OCSPServer: the AIA entries with the OCSP access method. */
  private static boolean hasOcspServer(X509Certificate cert) {
    byte[] extension = cert.getExtensionValue("1.3.6.1.5.5.7.1.1");
    if (extension == null) {
      return false;
    }
    try {
      AuthorityInformationAccess access = AuthorityInformationAccess.getInstance(
          ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extension).getOctets()));
      for (AccessDescription description : access.getAccessDescriptions()) {
        if (description.getAccessMethod().getId().equals(OCSP) && description.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier) {
          return true;
        }
      }
      return false;
    } catch (java.io.IOException | RuntimeException e) {
      return true; // unreadable: notation's parser would have refused the certificate, so be cautious
    }
  }

  /** crypto/x509 CRLDistributionPoints: the URIs among the distribution points' full names. */
  private static boolean hasCrlDistributionPoint(X509Certificate cert) {
    byte[] extension = cert.getExtensionValue("2.5.29.31");
    if (extension == null) {
      return false;
    }
    try {
      CRLDistPoint points = CRLDistPoint.getInstance(ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extension).getOctets()));
      for (DistributionPoint point : points.getDistributionPoints()) {
        DistributionPointName name = point.getDistributionPoint();
        if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
          for (GeneralName general : GeneralNames.getInstance(name.getName()).getNames()) {
            if (general.getTagNo() == GeneralName.uniformResourceIdentifier) {
              return true;
            }
          }
        }
      }
      return false;
    } catch (java.io.IOException | RuntimeException e) {
      return true;
    }
  }
}
