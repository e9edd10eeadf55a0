package io.trustsync.signature;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.trustpolicy.TrustedIdentities;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The identity match the verifier and the signer rules share, on the certificates notation signed with. */
class TrustedIdentitiesTest {
  private static final X509Certificate TEAM_A = Fixtures.certificates("certs/teamA.crt").getFirst();
  private static final X509Certificate ACME = Fixtures.certificates("certs/acme-ec256.chain.crt").getFirst();

  @Test
  void theSubjectIsWrittenAsGoWritesIt() {
    assertThat(TrustedIdentities.goSubject(TEAM_A)).isEqualTo("CN=teamA,O=Notary,L=Seattle,ST=WA,C=US");
    assertThat(TrustedIdentities.goSubject(ACME)).isEqualTo("CN=acme builder ec256,OU=Builds,O=Acme,L=Seattle,ST=WA,C=US");
  }

  @Test
  void aSubsetMatchesInAnyOrderWithSAsST() {
    assertThat(TrustedIdentities.matches("x509.subject: C=US, S=WA, O=Acme", ACME)).isTrue();
    assertThat(TrustedIdentities.matches("x509.subject: O=Acme, OU=Builds, ST=WA, C=US", ACME)).isTrue();
    assertThat(TrustedIdentities.matches("*", ACME)).isTrue();
    assertThat(TrustedIdentities.matches("x509.subject: C=US, ST=WA, O=acme", ACME)).as("values are case-sensitive").isFalse();
    assertThat(TrustedIdentities.matches("x509.subject: C=US, O=Acme", ACME)).as("an identity without ST is refused").isFalse();
  }

  @Test
  void theMismatchNamesTheAttributeAndTheFix() {
    assertThat(TrustedIdentities.mismatch("app", List.of("x509.subject: C=US, ST=WA, O=Notary, CN=teamZ"), TEAM_A)).hasValueSatisfying(m ->
        assertThat(m).startsWith("signing certificate from the digital signature does not match the X.509 trusted identities")
            .contains("CN=teamZ (the certificate has CN=teamA)").contains("copy the signing certificate's subject"));
    assertThat(TrustedIdentities.mismatch("app", List.of("x509.subject"), TEAM_A)).hasValueSatisfying(m -> assertThat(m).contains("missing separator"));
    assertThat(TrustedIdentities.mismatch("app", List.of("other:thing"), TEAM_A))
        .hasValueSatisfying(m -> assertThat(m).contains("no x509 trusted identities"));
  }
}
