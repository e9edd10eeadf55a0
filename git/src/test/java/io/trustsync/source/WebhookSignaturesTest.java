package io.trustsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignaturesTest {

  static final byte[] SECRET = "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8);
  static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);

  @Test
  void acceptsGitHubsDocumentedExampleSignature() {
    // the test vector from GitHub's "Validating webhook deliveries" documentation
    String header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    assertThat(WebhookSignatures.gitHub(BODY, header, SECRET)).isTrue();
    assertThat(WebhookSignatures.sign(BODY, SECRET)).isEqualTo(header);
  }

  @Test
  void rejectsAGitHubSignatureOfAnotherBodyOrSecret() {
    String header = WebhookSignatures.sign(BODY, SECRET);

    assertThat(WebhookSignatures.gitHub("Hello, World?".getBytes(StandardCharsets.UTF_8), header, SECRET)).isFalse();
    assertThat(WebhookSignatures.gitHub(BODY, header, "another secret".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(WebhookSignatures.gitHub(BODY, null, SECRET)).isFalse();
    assertThat(WebhookSignatures.gitHub(BODY, "sha1=" + header.substring(7), SECRET)).isFalse();
    assertThat(WebhookSignatures.gitHub(BODY, "sha256=zz", SECRET)).isFalse();
    assertThat(WebhookSignatures.gitHub(BODY, header, new byte[0])).as("an empty secret verifies nothing").isFalse();
  }

  @Test
  void genericSignatureIsTheSameHmacScheme() {
    assertThat(WebhookSignatures.generic(BODY, WebhookSignatures.sign(BODY, SECRET).toUpperCase().replace("SHA256", "sha256"), SECRET)).isTrue();
    assertThat(WebhookSignatures.generic(BODY, WebhookSignatures.sign(BODY, "x".getBytes(StandardCharsets.UTF_8)), SECRET)).isFalse();
  }

  @Test
  void gitLabTokenMustEqualTheSecret() {
    assertThat(WebhookSignatures.gitLab("s3cret-token", "s3cret-token")).isTrue();
    assertThat(WebhookSignatures.gitLab("s3cret-tokeN", "s3cret-token")).isFalse();
    assertThat(WebhookSignatures.gitLab(null, "s3cret-token")).isFalse();
    assertThat(WebhookSignatures.gitLab("", "")).isFalse();
  }

  @Test
  void readsAGitHubPush() {
    PushEvent push = PushEvent.parse("""
        {"ref":"refs/heads/main","before":"0000","after":"6113728f27ae82c7b1a177c8d03f9e96e0adf246",
         "repository":{"full_name":"acme/policies","clone_url":"https://github.com/acme/policies.git",
                       "ssh_url":"git@github.com:acme/policies.git","html_url":"https://github.com/acme/policies"}}
        """.getBytes(StandardCharsets.UTF_8));

    assertThat(push.branch()).isEqualTo("main");
    assertThat(push.after()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    assertThat(push.concerns("ssh://git@github.com/acme/policies")).isTrue();
    assertThat(push.concerns("git@github.com:acme/policies.git")).isTrue();
    assertThat(push.concerns("https://github.com/acme/policies-dev.git")).isFalse();
  }

  @Test
  void readsAGitLabTagPush() {
    PushEvent push = PushEvent.parse("""
        {"object_kind":"tag_push","ref":"refs/tags/v1.4.0","after":"82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
         "project":{"git_http_url":"https://gitlab.example.com/sec/policies.git",
                    "git_ssh_url":"git@gitlab.example.com:sec/policies.git"}}
        """.getBytes(StandardCharsets.UTF_8));

    assertThat(push.isTag()).isTrue();
    assertThat(push.branch()).isNull();
    assertThat(push.concerns("https://GitLab.example.com/sec/policies")).isTrue();
  }

  @Test
  void refusesAPayloadWithoutARef() {
    assertThatThrownBy(() -> PushEvent.parse("{\"zen\":\"ping\"}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("push payload has no 'ref'");
    assertThatThrownBy(() -> PushEvent.parse("not json".getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("push payload is not JSON");
  }
}
