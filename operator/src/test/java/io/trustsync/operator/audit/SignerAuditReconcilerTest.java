package io.trustsync.operator.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustsync.registry.RegistryCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignerAuditReconcilerTest {
  @Test
  void credentialsComeFromADockerConfigOrUserAndPasswordOrAToken() {
    String auth = Base64.getEncoder().encodeToString("00000000-0000-0000-0000-000000000000:refresh".getBytes(StandardCharsets.UTF_8));
    var docker = SignerAuditReconciler.credential("spec.credentials[0]", "acme.azurecr.io",
        Map.of(".dockerconfigjson", "{\"auths\":{\"acme.azurecr.io\":{\"auth\":\"" + auth + "\"}}}"));
    assertThat(docker).isEqualTo(new RegistryCredentials.Basic("00000000-0000-0000-0000-000000000000", "refresh"));
    assertThat(SignerAuditReconciler.credential("c", "r", Map.of("username", "u", "password", "p"))).isEqualTo(new RegistryCredentials.Basic("u", "p"));
    assertThat(SignerAuditReconciler.credential("c", "r", Map.of("token", "t\n"))).isEqualTo(new RegistryCredentials.Bearer("t"));
    assertThatThrownBy(() -> SignerAuditReconciler.credential("spec.credentials[1]", "other.io",
        Map.of(".dockerconfigjson", "{\"auths\":{\"acme.azurecr.io\":{\"auth\":\"" + auth + "\"}}}")))
        .hasMessage("spec.credentials[1]: the Secret's .dockerconfigjson has no auths entry for other.io");
    assertThatThrownBy(() -> SignerAuditReconciler.credential("spec.credentials[2]", "r", Map.of("user", "u")))
        .hasMessageContaining("neither .dockerconfigjson, token, nor username and password");
  }

  @Test
  void aPrivateCaMustBePem() {
    assertThat(SignerAuditReconciler.tls(null)).isNull();
    assertThatThrownBy(() -> SignerAuditReconciler.tls("not a certificate")).hasMessageContaining("spec.certificateAuthority");
  }
}
