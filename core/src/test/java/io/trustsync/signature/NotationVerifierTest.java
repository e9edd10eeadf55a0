package io.trustsync.signature;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.repository.StoreType;
import io.trustsync.repository.TrustStoreDirectory;
import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.truststore.TrustedCertificate;
import io.trustsync.validation.AcceptedEnvironment;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules the notation fixtures do not reach on their own: references, statement selection,
 * refused levels, the signature limit, store spelling, the validity window, and the
 * AcceptedEnvironment entry point. Real envelopes throughout, verified "as of" {@link Fixtures#NOW}.
 */
class NotationVerifierTest {
  private static final Fixtures.Case TEAM_A_JWS = Fixtures.named("rsa2048-jws-pass");

  private static Verdict verify(Fixtures.Case fixture, TrustPolicyDocument policy, Map<String, List<X509Certificate>> stores, Instant now) {
    return NotationVerifier.verify(fixture.reference(), fixture.digest(), fixture.signatures(), policy, stores, now);
  }

  @Test
  void aPassingSignatureSaysWhoSignedWithWhatAndWhere() {
    Verdict verdict = verify(Fixtures.named("ec256-cose-pass"), Fixtures.policy("acme"), Fixtures.stores(), Fixtures.NOW);

    assertThat(verdict.passed()).isTrue();
    assertThat(verdict.statement()).isEqualTo("app");
    assertThat(verdict.level()).isEqualTo("strict");
    SignatureOutcome outcome = verdict.signatures().getFirst();
    assertThat(outcome.format()).isEqualTo("cose");
    assertThat(outcome.signer()).isEqualTo("CN=acme builder ec256,OU=Builds,O=Acme,L=Seattle,ST=WA,C=US");
    assertThat(outcome.issuer()).isEqualTo("CN=Acme Root CA,O=Acme,L=Seattle,ST=WA,C=US");
    assertThat(outcome.rootFingerprint()).isEqualTo(NotationVerifier.fingerprint(Fixtures.certificates("certs/acme-root.crt").getFirst()));
    assertThat(outcome.signingScheme()).isEqualTo("notary.x509");
    assertThat(outcome.signingTime()).isBefore(Fixtures.NOW);
    assertThat(outcome.checks()).extracting(CheckResult::check)
        .containsExactly(Check.INTEGRITY, Check.AUTHENTICITY, Check.EXPIRY, Check.AUTHENTIC_TIMESTAMP, Check.REVOCATION);
    assertThat(outcome.failures()).isEmpty();
    assertThat(verdict.reason()).contains("acme builder ec256").contains("cose").contains("\"app\"");
  }

  @Test
  void aReferenceWithoutADigestOrWithAnotherDigestIsRefused() {
    Verdict tag = NotationVerifier.verify(Fixtures.REPOSITORY + ":v1", TEAM_A_JWS.digest(), TEAM_A_JWS.signatures(), Fixtures.policy("teamA"),
        Fixtures.stores(), Fixtures.NOW);
    assertThat(tag.passed()).isFalse();
    assertThat(tag.reason()).contains("has no digest").contains("registry/repository@sha256:");

    String other = Fixtures.named("copied-signature").digest();
    Verdict mismatch = NotationVerifier.verify(TEAM_A_JWS.reference(), other, TEAM_A_JWS.signatures(), Fixtures.policy("teamA"), Fixtures.stores(),
        Fixtures.NOW);
    assertThat(mismatch.passed()).isFalse();
    assertThat(mismatch.reason()).contains("is not the manifest's digest " + other);

    Verdict scheme = NotationVerifier.verify("https://" + TEAM_A_JWS.reference(), TEAM_A_JWS.digest(), TEAM_A_JWS.signatures(),
        Fixtures.policy("teamA"), Fixtures.stores(), Fixtures.NOW);
    assertThat(scheme.passed()).isFalse();
    assertThat(scheme.reason()).contains("is not a registry/repository");
  }

  @Test
  void anArtifactNoStatementCoversIsRefusedAndAWildcardCoversTheRest() {
    Verdict elsewhere = NotationVerifier.verify("registry.example.com/other@" + TEAM_A_JWS.digest(), TEAM_A_JWS.digest(), TEAM_A_JWS.signatures(),
        Fixtures.policy("teamA"), Fixtures.stores(), Fixtures.NOW);
    assertThat(elsewhere.passed()).isFalse();
    assertThat(elsewhere.statement()).isNull();
    assertThat(elsewhere.reason()).contains("no applicable trust policy statement").contains("registry.example.com/other");

    // exact-scope-wins has "everything" for "*", trusting teamB only: teamA's signature elsewhere fails there
    Verdict wildcard = NotationVerifier.verify("registry.example.com/other@" + TEAM_A_JWS.digest(), TEAM_A_JWS.digest(), TEAM_A_JWS.signatures(),
        Fixtures.policy("exact-scope-wins"), Fixtures.stores(), Fixtures.NOW);
    assertThat(wildcard.statement()).isEqualTo("everything");
    assertThat(wildcard.passed()).isFalse();
  }

  @Test
  void aLevelNotationRefusesFailsEverything() {
    TrustPolicyDocument valid = Fixtures.policy("teamA");
    TrustPolicyStatement statement = valid.statements().getFirst();
    for (Map<String, String> override : List.of(Map.of("integrity", "log"), Map.of("expiry", "skip"), Map.of("authenticity", "warn"))) {
      TrustPolicyStatement overridden = new TrustPolicyStatement(statement.name(), statement.registryScopes(), "strict", override, "",
          statement.trustStores(), statement.trustedIdentities(), statement.pointer());
      TrustPolicyDocument policy = new TrustPolicyDocument(valid.file(), valid.version(), List.of(overridden), valid.json());
      Verdict verdict = verify(TEAM_A_JWS, policy, Fixtures.stores(), Fixtures.NOW);
      assertThat(verdict.passed()).as(override.toString()).isFalse();
      assertThat(verdict.reason()).as(override.toString()).contains("is invalid, so notation verifies nothing");
    }
  }

  @Test
  void revocationCanBeSkippedAndTheOverrideIsCustom() {
    TrustPolicyDocument valid = Fixtures.policy("teamA");
    TrustPolicyStatement statement = valid.statements().getFirst();
    TrustPolicyStatement overridden = new TrustPolicyStatement(statement.name(), statement.registryScopes(), "strict",
        Map.of("revocation", "skip"), "", statement.trustStores(), statement.trustedIdentities(), statement.pointer());
    Verdict verdict = verify(TEAM_A_JWS, new TrustPolicyDocument(valid.file(), valid.version(), List.of(overridden), valid.json()),
        Fixtures.stores(), Fixtures.NOW);
    assertThat(verdict.passed()).isTrue();
    assertThat(verdict.level()).isEqualTo("custom");
    assertThat(verdict.signatures().getFirst().check(Check.REVOCATION)).isEmpty();
  }

  @Test
  void atMostAHundredSignaturesAreExamined() {
    List<SignatureBlob> signatures = new ArrayList<>(Collections.nCopies(100, Fixtures.named("tampered-signature-jws").signatures().getFirst()));
    signatures.addAll(TEAM_A_JWS.signatures());
    Verdict verdict = NotationVerifier.verify(TEAM_A_JWS.reference(), TEAM_A_JWS.digest(), signatures, Fixtures.policy("teamA"), Fixtures.stores(),
        Fixtures.NOW);
    assertThat(verdict.passed()).isFalse();
    assertThat(verdict.signatures()).hasSize(100);
    assertThat(verdict.reason()).contains("evaluation stopped").contains("101 signatures");
  }

  @Test
  void storesMayBeSpelledWithASlashAndAMissingStoreIsNamed() {
    Verdict slash = verify(TEAM_A_JWS, Fixtures.policy("teamA"), Map.of("ca/teamA", Fixtures.certificates("certs/teamA.crt")), Fixtures.NOW);
    assertThat(slash.passed()).as(slash.reason()).isTrue();

    Verdict missing = verify(TEAM_A_JWS, Fixtures.policy("teamA"), Map.of(), Fixtures.NOW);
    assertThat(missing.passed()).isFalse();
    assertThat(missing.reason()).contains("the trust store \"teamA\" of type \"ca\" does not exist");
  }

  @Test
  void certificatesMustBeValidAtTheTimeOfVerification() {
    X509Certificate teamA = Fixtures.certificates("certs/teamA.crt").getFirst();
    Verdict early = verify(TEAM_A_JWS, Fixtures.policy("teamA"), Fixtures.stores(), teamA.getNotBefore().toInstant().minusSeconds(1));
    assertThat(early.passed()).isFalse();
    assertThat(early.signatures().getFirst().check(Check.AUTHENTIC_TIMESTAMP).orElseThrow().failure()).startsWith("verification time is before");

    Verdict late = verify(TEAM_A_JWS, Fixtures.policy("teamA-permissive"), Fixtures.stores(), teamA.getNotAfter().toInstant().plusSeconds(1));
    assertThat(late.passed()).as("permissive logs the authentic timestamp").isTrue();
    assertThat(late.signatures().getFirst().failures()).extracting(CheckResult::check).containsExactly(Check.AUTHENTIC_TIMESTAMP);
  }

  @Test
  void expiryIsReachedAtTheExpiryInstantItself() {
    Fixtures.Case expired = Fixtures.named("expired-jws-strict");
    Instant expiry = expired.signatures().stream().map(s -> {
      try {
        return NotationEnvelope.parse(s.mediaType(), s.envelope()).expiry();
      } catch (EnvelopeException e) {
        throw new AssertionError(e);
      }
    }).findFirst().orElseThrow();
    assertThat(verify(expired, Fixtures.policy("teamA"), Fixtures.stores(), expiry.minusMillis(1)).passed()).isTrue();
    assertThat(verify(expired, Fixtures.policy("teamA"), Fixtures.stores(), expiry).passed()).isFalse();
  }

  @Test
  void anUnreadableSignatureIsAnIntegrityFailureAndAnotherMayStillPass() {
    List<SignatureBlob> signatures = List.of(new SignatureBlob("application/cose", new byte[] {(byte) 0xd2, (byte) 0x84}),
        new SignatureBlob("application/vnd.unknown", new byte[] {1}), TEAM_A_JWS.signatures().getFirst());
    Verdict verdict = NotationVerifier.verify(TEAM_A_JWS.reference(), TEAM_A_JWS.digest(), signatures, Fixtures.policy("teamA"), Fixtures.stores(),
        Fixtures.NOW);
    assertThat(verdict.passed()).isTrue();
    assertThat(verdict.signatures()).extracting(SignatureOutcome::passed).containsExactly(false, false, true);
    assertThat(verdict.signatures().get(0).check(Check.INTEGRITY).orElseThrow().failure()).contains("unable to parse the digital signature");
    assertThat(verdict.signatures().get(0).signer()).isNull();
    assertThat(verdict.signatures().get(1).format()).isNull();
  }

  @Test
  void anAcceptedEnvironmentSuppliesPolicyAndStores() {
    X509Certificate teamA = Fixtures.certificates("certs/teamA.crt").getFirst();
    TrustedCertificate trusted = new TrustedCertificate("truststore/x509/ca/teamA/teamA.crt", 0, teamA, teamA.getSubjectX500Principal().getName(),
        teamA.getIssuerX500Principal().getName(), teamA.getNotBefore().toInstant(), teamA.getNotAfter().toInstant(), "");
    LoadedTrustStore store = new LoadedTrustStore(new TrustStoreDirectory(StoreType.CA, "teamA", "truststore/x509/ca/teamA", null, List.of()),
        List.of(trusted));
    AcceptedEnvironment environment = new AcceptedEnvironment("production", Fixtures.policy("teamA"), List.of(store));

    Verdict verdict = NotationVerifier.verify(TEAM_A_JWS.reference(), TEAM_A_JWS.digest(), TEAM_A_JWS.signatures(), environment, Fixtures.NOW);
    assertThat(verdict.passed()).as(verdict.reason()).isTrue();
    Fixtures.Case acme = Fixtures.named("ec256-jws-pass");
    assertThat(NotationVerifier.verify(acme.reference(), acme.digest(), acme.signatures(), environment, Fixtures.NOW).passed()).isFalse();
  }
}
