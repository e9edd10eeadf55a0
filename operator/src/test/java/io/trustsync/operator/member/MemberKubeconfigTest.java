package io.trustsync.operator.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.trustsync.operator.member.MemberConnections.MemberConfigurationException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** What a kubeconfig someone else wrote can and cannot make the operator do. */
class MemberKubeconfigTest {
  private static final String WHERE = "Secret tenant/prod key 'kubeconfig'";
  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLXZhbHVl.c2lnbmF0dXJl";
  private static final String CA = Base64.getEncoder().encodeToString("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".getBytes());

  private static String kubeconfig(String cluster, String user) {
    return """
        apiVersion: v1
        kind: Config
        current-context: prod
        contexts:
        - name: prod
          context: {cluster: prod, user: alice}
        clusters:
        - name: prod
          cluster:
        %s
        users:
        - name: alice
          user:
        %s
        """.formatted(cluster.indent(4).stripTrailing(), user.indent(4).stripTrailing());
  }

  private static final String SAFE_CLUSTER = "server: https://prod.example.com:6443\ncertificate-authority-data: " + CA;

  @Test
  void inlineCredentialsMakeAConfigForExactlyThatServer() throws Exception {
    Config config = MemberKubeconfig.parse(kubeconfig(SAFE_CLUSTER, "token: " + TOKEN), null, KubeconfigRules.DEFAULT, WHERE);

    assertThat(config.getMasterUrl()).startsWith("https://prod.example.com:6443");
    assertThat(config.getOauthToken()).isEqualTo(TOKEN);
    assertThat(config.getCaCertData()).isEqualTo(CA);
    assertThat(config.isTrustCerts()).isFalse();
    assertThat(config.getHttpsProxy()).isNull();
    assertThat(config.getFile()).isNull();
  }

  @Test
  void anExecPluginIsRefusedNamingTheFieldAndTheFlag() {
    String exec = "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: /bin/sh\n  args: [-c, 'touch /tmp/pwned']";

    assertThatThrownBy(() -> MemberKubeconfig.parse(kubeconfig(SAFE_CLUSTER, exec), null, KubeconfigRules.DEFAULT, WHERE))
        .isInstanceOf(MemberConfigurationException.class)
        .hasMessageContaining("users[0].user.exec runs a command inside the operator")
        .hasMessageContaining("--insecure-kubeconfig-exec")
        .hasMessageNotContaining("/bin/sh").hasMessageNotContaining("pwned");
  }

  @Test
  void everyFieldThatReachesIntoTheOperatorIsRefusedWithItsOwnFlag() {
    assertRefused(kubeconfig(SAFE_CLUSTER, "auth-provider:\n  name: oidc\n  config: {id-token: x}"), "users[0].user.auth-provider", "--insecure-kubeconfig-auth-provider");
    assertRefused(kubeconfig(SAFE_CLUSTER, "tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token"), "users[0].user.tokenFile", "--insecure-kubeconfig-files");
    assertRefused(kubeconfig(SAFE_CLUSTER, "client-certificate: /etc/cert.pem\nclient-key: /etc/key.pem"), "users[0].user.client-certificate", "--insecure-kubeconfig-files");
    assertRefused(kubeconfig("server: https://prod.example.com\ncertificate-authority: /etc/passwd", "token: " + TOKEN), "clusters[0].cluster.certificate-authority", "--insecure-kubeconfig-files");
    assertRefused(kubeconfig("server: https://prod.example.com\ninsecure-skip-tls-verify: true", "token: " + TOKEN), "clusters[0].cluster.insecure-skip-tls-verify", "--insecure-kubeconfig-tls");
    assertRefused(kubeconfig(SAFE_CLUSTER + "\nproxy-url: http://attacker.example:3128", "token: " + TOKEN), "clusters[0].cluster.proxy-url", "--insecure-kubeconfig-proxy");
    assertRefused(kubeconfig("server: http://prod.example.com:8080", "token: " + TOKEN), "clusters[0].cluster.server must be an https:// URL", "--insecure-kubeconfig-http");
  }

  @Test
  void aFilePathIsRefusedTheSameWayWhetherOrNotTheFileExists() {
    String existing = kubeconfig("server: https://prod.example.com\ncertificate-authority: /etc/hostname", "token: x");
    String missing = kubeconfig("server: https://prod.example.com\ncertificate-authority: /no/such/file", "token: x");

    String one = message(existing);
    String other = message(missing);

    assertThat(one).isEqualTo(other).doesNotContain("/etc/hostname");
  }

  @Test
  void aBrokenKubeconfigIsReportedByPlaceWithoutQuotingTheToken() {
    String broken = "apiVersion: v1\nusers:\n- name: alice\n  user:\n    token: " + TOKEN + "\n   bad: [indentation\n";

    String message = message(broken);

    assertThat(message).contains(WHERE).contains("YAML syntax error at line").doesNotContain(TOKEN.substring(0, 12))
        .doesNotContain("c2VjcmV0");
  }

  @Test
  void eachOptInAllowsOnlyItsOwnCapability() throws Exception {
    KubeconfigRules tlsOnly = new KubeconfigRules(false, false, false, true, false, false);
    Config insecure = MemberKubeconfig.parse(kubeconfig("server: https://prod.example.com\ninsecure-skip-tls-verify: true", "token: x"),
        null, tlsOnly, WHERE);
    assertThat(insecure.isTrustCerts()).isTrue();

    String exec = "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: kubelogin";
    assertThatThrownBy(() -> MemberKubeconfig.parse(kubeconfig(SAFE_CLUSTER, exec), null, tlsOnly, WHERE))
        .hasMessageContaining("--insecure-kubeconfig-exec");
    KubeconfigRules execAllowed = new KubeconfigRules(true, false, false, false, false, false);
    Config withExec = MemberKubeconfig.parse(kubeconfig(SAFE_CLUSTER, exec), null, execAllowed, WHERE);
    assertThat(withExec.getMasterUrl()).startsWith("https://prod.example.com");
  }

  @Test
  void aMissingContextOrClusterSaysWhichReferenceIsDangling() {
    assertThat(message(kubeconfig(SAFE_CLUSTER, "token: x").replace("current-context: prod", "current-context: staging")))
        .contains("has no context named in current-context");
    assertThat(message(kubeconfig(SAFE_CLUSTER, "token: x").replace("{cluster: prod,", "{cluster: nope,")))
        .contains("contexts[0].context.cluster names no entry of clusters");
  }

  private static void assertRefused(String kubeconfig, String field, String flag) {
    assertThat(message(kubeconfig)).contains(field).contains(flag).contains("docs/security.md");
  }

  private static String message(String kubeconfig) {
    try {
      MemberKubeconfig.parse(kubeconfig, null, KubeconfigRules.DEFAULT, WHERE);
    } catch (MemberConfigurationException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + kubeconfig);
  }
}
