package io.trustsync.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  @Test
  void referencesAreReadAsNotationNamesThem() {
    ImageReference tagged = ImageReference.parse("acme.azurecr.io/storefront/web:1.0");
    assertThat(tagged.registry()).isEqualTo("acme.azurecr.io");
    assertThat(tagged.repository()).isEqualTo("storefront/web");
    assertThat(tagged.tag()).isEqualTo("1.0");
    assertThat(tagged.scope()).isEqualTo("acme.azurecr.io/storefront/web");
    String digest = "sha256:" + "a".repeat(64);
    ImageReference pinned = ImageReference.parse("127.0.0.1:5000/team/app@" + digest);
    assertThat(pinned.registry()).isEqualTo("127.0.0.1:5000");
    assertThat(pinned.digest()).isEqualTo(digest);
    assertThat(pinned.toString()).isEqualTo("127.0.0.1:5000/team/app@" + digest);
  }

  @Test
  void whatIsNotAReferenceSaysWhatToWrite() {
    assertThatThrownBy(() -> ImageReference.parse("library/nginx")).hasMessageContaining("write the registry in full");
    assertThatThrownBy(() -> ImageReference.parse("nginx")).hasMessageContaining("names no registry");
    assertThatThrownBy(() -> ImageReference.parse("acme.io/App")).hasMessageContaining("is not a repository name");
    assertThatThrownBy(() -> ImageReference.parse("acme.io/app@sha256:zz")).hasMessageContaining("is not a sha256 or sha512 digest");
  }

  @Test
  void paginationFollowsOnlyTheRegistrysOwnPaths() {
    assertThat(OciRegistryClient.nextPath("</v2/app/tags/list?n=1000&last=v9>; rel=\"next\"")).isEqualTo("/v2/app/tags/list?n=1000&last=v9");
    assertThat(OciRegistryClient.nextPath("<https://other.example/v2/app/tags/list?last=v9>; rel=\"next\"")).isEqualTo("/v2/app/tags/list?last=v9");
    assertThat(OciRegistryClient.nextPath("<v2/relative>; rel=\"next\"")).isNull();
    assertThat(OciRegistryClient.nextPath("<https://x/y>; rel=\"prev\"")).isNull();
  }

  @Test
  void credentialsNeverPrintTheirSecret() {
    assertThat(new RegistryCredentials.Basic("ci", "s3cr3t").toString()).doesNotContain("s3cr3t").contains("ci");
    assertThat(new RegistryCredentials.Bearer("tok3n").toString()).doesNotContain("tok3n");
  }
}
