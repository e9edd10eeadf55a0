package io.trustsync.operator.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import io.trustsync.local.CertificateAuthority;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/** A member's API server is authenticated by its kubeconfig's CA alone, as kubectl does it. */
class MemberTlsTest {
  private static Config withCa(String pem) {
    Config config = Config.empty();
    config.setMasterUrl("https://member.example:6443");
    config.setCaCertData(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8)));
    return config;
  }

  private static X509TrustManager x509(javax.net.ssl.TrustManager[] managers) {
    return (X509TrustManager) Arrays.stream(managers).filter(m -> m instanceof X509TrustManager).findFirst().orElseThrow();
  }

  @Test
  void theKubeconfigsCaIsTheOnlyIssuerTrusted() throws Exception {
    CertificateAuthority authority = CertificateAuthority.create("member-ca");
    Config config = withCa(authority.certificatePem());

    var issuers = x509(MemberTls.onlyTheClusterCa(config)).getAcceptedIssuers();
    assertThat(issuers).singleElement().satisfies(ca -> assertThat(ca.getSubjectX500Principal().getName()).contains("member-ca"));
    // what fabric8 would have trusted on its own: the JVM's public roots besides
    assertThat(x509(SSLUtils.trustManagers(config)).getAcceptedIssuers().length).isGreaterThan(10);
  }

  @Test
  void aKubeconfigWithoutCaDataKeepsTheDefaultAndBrokenCaDataIsRefusedWithAReason() throws Exception {
    Config none = Config.empty();
    assertThat(MemberTls.onlyTheClusterCa(none)).isNull();
    assertThatThrownBy(() -> MemberTls.onlyTheClusterCa(withCa("-----BEGIN CERTIFICATE-----\nnot base64 DER\n-----END CERTIFICATE-----\n")))
        .isInstanceOf(MemberConnections.MemberConfigurationException.class)
        .hasMessageStartingWith("certificate-authority-data");
  }
}
