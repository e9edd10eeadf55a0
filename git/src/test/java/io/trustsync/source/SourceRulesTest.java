package io.trustsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What a PolicySource URL may make the operator do, decided before anything is sent. */
class SourceRulesTest {
  static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor();

  @AfterAll
  static void stopTimer() {
    TIMER.shutdownNow();
  }

  @Test
  void localFileUrlsAreRefusedUnlessTheTestOnlyFlagAllowsThem() {
    GitSource local = GitSource.of("file:///var/cache/trustsync/0123/repo.git");

    assertThatThrownBy(() -> SourceRules.DEFAULT.check(local)).hasMessageStartingWith("file:// URLs are refused");
    assertThatCode(() -> SourceRules.DEFAULT.allowingLocal().check(local)).doesNotThrowAnyException();
  }

  @Test
  void loopbackAndLinkLocalHostsAreRefusedByDefault() {
    for (String url : new String[] {"https://127.0.0.1:8080/metrics", "https://localhost/x.git", "https://169.254.169.254/latest",
        "https://[::1]/x.git", "https://[::ffff:127.0.0.1]/x.git", "https://0.0.0.0/x.git"}) {
      assertThatThrownBy(() -> SourceRules.DEFAULT.check(GitSource.of(url)))
          .as(url).hasMessageContaining("sources may not reach").hasMessageContaining("--source-allow-cidr");
    }
    assertThatCode(() -> SourceRules.DEFAULT.allowingLoopback().check(GitSource.of("https://127.0.0.1:8443/x.git"))).doesNotThrowAnyException();
  }

  @Test
  void aDeniedRangeIsRefusedAndAnAllowedOneOverridesTheBuiltInDenials() throws Exception {
    AddressRules rules = AddressRules.DEFAULT.denying(Cidr.parse("10.0.0.0/8")).allowing(Cidr.parse("10.20.0.0/16"));

    assertThat(rules.denied(InetAddress.getByName("10.1.2.3"))).isTrue();
    assertThat(rules.denied(InetAddress.getByName("10.20.2.3"))).isFalse();
    assertThat(rules.denied(InetAddress.getByName("11.0.0.1"))).isFalse();
    assertThat(rules.denied(InetAddress.getByName("169.254.169.254"))).isTrue();
    assertThatThrownBy(() -> Cidr.parse("git.example.com/8")).hasMessageContaining("is not an address range");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("prefix length");
  }

  @Test
  void plainHttpNeedsTheFlagAndNeverCarriesCredentials() {
    GitSource open = GitSource.of("http://git.example.com/policies.git");

    assertThatThrownBy(() -> SourceRules.DEFAULT.check(open)).hasMessageContaining("--allow-insecure-http");
    SourceRules lenient = SourceRules.DEFAULT.allowingPlainHttp();
    assertThatThrownBy(() -> lenient.check(open.withAuth(new GitAuth.Bearer("t0ken")))).hasMessageStartingWith("credentials are never sent");
    assertThatThrownBy(() -> lenient.check(GitSource.of("http://bot:t0ken@git.example.com/policies.git")))
        .hasMessageStartingWith("credentials are never sent").hasMessageNotContaining("t0ken");
    assertThatThrownBy(() -> lenient.check(GitSource.of("http://git.example.com/policies.git?private_token=t0ken")))
        .hasMessageStartingWith("credentials are never sent").hasMessageNotContaining("t0ken");
  }

  @Test
  void displayedUrlsHideUserInfoAndQueryStrings() {
    assertThat(GitSource.of("https://bot:t0ken@git.example.com/acme/policies.git").displayUrl()).isEqualTo("https://git.example.com/acme/policies.git");
    assertThat(GitSource.of("https://git.example.com/acme/policies.git?private_token=t0ken").displayUrl())
        .isEqualTo("https://git.example.com/acme/policies.git?redacted");
    assertThat(GitSource.of("ssh://git:pw@git.example.com:2222/acme.git").displayUrl()).isEqualTo("ssh://git@git.example.com:2222/acme.git");
    assertThat(GitSource.of("git@github.com:acme/policies.git").host()).isEqualTo("github.com");
    assertThat(GitSource.of("https://u@GIT.example.com:8443/x").host()).isEqualTo("git.example.com");
    assertThatThrownBy(() -> GitSource.of("ftp://bot:t0ken@example.com/x")).hasMessageNotContaining("t0ken");
  }

  @Test
  void anHttpsSourceNeverFollowsARedirectToHttpNorToADeniedAddress() throws Exception {
    SourceRules rules = SourceRules.DEFAULT.allowingLoopback().allowingPlainHttp();
    try (FetchBudget budget = new FetchBudget(Duration.ofSeconds(30), 1024, TIMER)) {
      GuardedHttpConnections https = new GuardedHttpConnections(URI.create("https://127.0.0.1:8443/x.git").toURL(), null, rules, budget);
      assertThatThrownBy(() -> https.create(URI.create("http://127.0.0.1:8080/x.git").toURL()))
          .hasMessage("refused a redirect from https:// to http://");
      assertThatThrownBy(() -> https.create(URI.create("https://169.254.169.254/latest").toURL())).hasMessageContaining("sources may not reach");
      assertThatCode(() -> https.create(URI.create("https://localhost:8443/x.git").toURL())).doesNotThrowAnyException();
    }
  }
}
