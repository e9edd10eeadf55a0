package io.trustsync.audit;

import io.trustsync.registry.ImageReference;
import io.trustsync.registry.RegistryException;
import io.trustsync.registry.SignatureScanner;
import io.trustsync.signature.Check;
import io.trustsync.signature.EnvelopeException;
import io.trustsync.signature.NotationEnvelope;
import io.trustsync.signature.NotationVerifier;
import io.trustsync.signature.SignatureBlob;
import io.trustsync.signature.SignatureOutcome;
import io.trustsync.signature.Verdict;
import java.security.cert.X509Certificate;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.ExpectedSigners;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The field guide's audit: "list every signed image in the production ACR, grouped by signer
 * identity, and alert on any signer that is not expected for that image's repository". Each image
 * of each repository is judged as {@code notation verify} would judge it under the environment's
 * accepted trust policy and stores; a signature counts for its signer only when it verifies (an
 * envelope that does not is only a claim), and a verified signer that the environment's
 * expected-signers.yaml does not expect for the repository is unexpected.
 */
public final class SignerAudit {
  /** What the audit says about one image. */
  public enum State { PASSES, FAILS, UNSIGNED, UNREADABLE }

  /** One signature: who it claims, whether it verified, whether its signer is expected here. */
  public record Signer(String subject, String issuer, String format, boolean verified, Boolean expected, String reason) {}

  /**
   * One image (a manifest digest) and its tags. {@code expected} is null when nothing is expected
   * for the repository; {@code statement} is the trust policy statement that judged it.
   */
  public record Image(String reference, List<String> tags, State state, String statement, List<Signer> signers, List<String> unexpected,
      String reason, List<String> problems) {}

  /** One repository: its images, how many each verified signer signed, and the counts an SRE alerts on. */
  public record Repository(String repository, List<Image> images, Map<String, Integer> imagesBySigner, int unsigned, int failing,
      int unexpectedSigners, String problem) {}

  public record Report(String environment, String at, List<Repository> repositories) {
    public int images() {
      return repositories.stream().mapToInt(r -> r.images().size()).sum();
    }

    public int unexpectedSigners() {
      return repositories.stream().mapToInt(Repository::unexpectedSigners).sum();
    }

    public int unsigned() {
      return repositories.stream().mapToInt(Repository::unsigned).sum();
    }

    public int failing() {
      return repositories.stream().mapToInt(Repository::failing).sum();
    }
  }

  private SignerAudit() {}

  /**
   * The environment's registry scopes, '*' left out, in the policy's order: what an audit (and
   * `impact`) reads when no repository is named.
   */
  public static List<String> registryScopes(AcceptedEnvironment environment) {
    return environment.policy().statements().stream().flatMap(s -> s.registryScopes().stream()).filter(s -> !s.equals("*")).distinct().toList();
  }

  /** Audits each target (a repository, or one image by tag or digest). A repository the registry refuses is reported, not thrown. */
  public static Report run(AcceptedEnvironment environment, SignatureScanner scanner, List<ImageReference> targets, Instant now) {
    List<Repository> repositories = new ArrayList<>();
    ExpectedSigners expected = environment.expectedSigners();
    for (ImageReference target : targets) {
      List<Image> images = new ArrayList<>();
      try {
        // judged as they come: an image's envelopes are dropped once it is judged
        scanner.scan(target, image -> images.add(image(environment, expected, target.scope(), image, now)));
      } catch (RegistryException e) {
        repositories.add(new Repository(target.toString(), List.of(), Map.of(), 0, 0, 0, e.getMessage()));
        continue;
      }
      repositories.add(repository(target.scope(), images));
    }
    return new Report(environment.name(), now.toString(), List.copyOf(repositories));
  }

  static Repository repository(String scope, List<Image> images) {
    Map<String, Integer> bySigner = new TreeMap<>();
    int unsigned = 0;
    int failing = 0;
    int unexpectedCount = 0;
    for (Image audited : images) {
      audited.signers().stream().filter(Signer::verified).map(Signer::subject).distinct().forEach(s -> bySigner.merge(s, 1, Integer::sum));
      switch (audited.state()) {
        case UNSIGNED -> unsigned++;
        case FAILS, UNREADABLE -> failing++;
        default -> { }
      }
      unexpectedCount += audited.unexpected().size();
    }
    return new Repository(scope, List.copyOf(images), Map.copyOf(bySigner), unsigned, failing, unexpectedCount, null);
  }

  static Image image(AcceptedEnvironment environment, ExpectedSigners expected, String scope, SignatureScanner.Image image, Instant now) {
    List<SignatureBlob> blobs = image.signatures().stream().map(s -> new SignatureBlob(s.mediaType(), s.envelope())).toList();
    return judge(expected, scope, image, NotationVerifier.verify(image.reference().toString(), image.reference().digest(), blobs, environment, now));
  }

  /** What the audit makes of an image and notation's verdict on it (public for callers and tests that verify themselves). */
  public static Image judge(ExpectedSigners expected, String scope, SignatureScanner.Image image, Verdict verdict) {
    String reference = image.reference().toString();
    boolean expects = expected.expects(scope);
    List<Signer> signers = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    for (SignatureOutcome outcome : verdict.signatures()) {
      // a signer is who signed only when integrity and authenticity were checked and held: under level audit a
      // signature whose chain reaches no trusted root still "passes", and its subject is anyone's to claim
      boolean verified = outcome.signer() != null && held(outcome, Check.INTEGRITY) && held(outcome, Check.AUTHENTICITY);
      Boolean isExpected = null;
      if (expects && verified) {
        X509Certificate leaf = leaf(image.signatures().get(outcome.index()));
        isExpected = leaf != null && expected.isExpected(scope, leaf);
      }
      if (Boolean.FALSE.equals(isExpected) && !unexpected.contains(outcome.signer())) {
        unexpected.add(outcome.signer());
      }
      signers.add(new Signer(outcome.signer(), outcome.issuer(), outcome.format(), verified, isExpected, outcome.reason()));
    }
    // an image whose signatures could not all be read is never "passes" nor "unsigned": what was not read may be anyone's
    State state = !image.problems().isEmpty() ? State.UNREADABLE
        : image.signatures().isEmpty() ? State.UNSIGNED : verdict.passed() ? State.PASSES : State.FAILS;
    String reason = state == State.UNREADABLE ? String.join("; ", image.problems()) : verdict.reason();
    return new Image(reference, image.tags(), state, verdict.statement(), List.copyOf(signers), List.copyOf(unexpected), reason,
        image.problems());
  }

  private static boolean held(SignatureOutcome outcome, Check check) {
    return outcome.check(check).map(c -> !c.failed()).orElse(false);
  }

  private static X509Certificate leaf(SignatureScanner.Signature signature) {
    try {
      return NotationEnvelope.parse(signature.mediaType(), signature.envelope()).certificateChain().getFirst();
    } catch (EnvelopeException | RuntimeException e) {
      return null;
    }
  }
}
