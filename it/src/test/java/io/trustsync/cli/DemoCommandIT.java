package io.trustsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.testing.ProjectFolder;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** README promises `bin/trustsync demo` shows the main job; this runs it and checks each step happened. */
class DemoCommandIT {
  @Test
  void theDemoConvergesPropagatesCorrectsDriftAndRejectsABrokenCommit() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = TrustSyncCommand.run(new String[] {"demo", "--repository", ProjectFolder.root().resolve("policy-repo-example").toString()},
        new PrintWriter(out, true), new PrintWriter(err, true));

    String shown = out.toString();
    assertThat(exit).as(shown + err).isZero();
    assertThat(shown)
        .contains("both clusters hold revision")
        .containsPattern("revision [0-9a-f]{12} live in both clusters \\d+ ms after the push")
        .containsPattern("detected modified TrustPolicy/trust-policy/production in prod-us-1 \\[/spec/trustPolicies/0/signatureVerification/level\\]")
        .contains("corrected TrustPolicy/trust-policy/production in prod-us-1")
        .contains("prod-us-1 is back to level strict")
        .contains("ValidationFailed")
        .contains("environments/production/trustpolicy.json:13:18: notation.level")
        .containsPattern("prod-eu-1 still serves revision [0-9a-f]{12} \\(level strict\\)")
        .containsPattern("prod-us-1 still serves revision [0-9a-f]{12} \\(level strict\\)");
  }
}
