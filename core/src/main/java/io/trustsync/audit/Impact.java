package io.trustsync.audit;

import io.trustsync.registry.SignatureScanner;
import io.trustsync.signature.Check;
import io.trustsync.signature.NotationVerifier;
import io.trustsync.signature.SignatureBlob;
import io.trustsync.signature.SignatureOutcome;
import io.trustsync.signature.Verdict;
import io.trustsync.validation.AcceptedEnvironment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a trust policy change would do to images that exist: each image judged under the base
 * revision's environment and under the head's, as notation would. A reviewer sees which images
 * go from pass to fail and why (a store removed, an identity narrowed, a scope moved), and which
 * signatures stop verifying although the image still passes through another.
 */
public final class Impact {
  /** How one image's verdict changes. */
  public enum Change { BREAKS, FIXES, STILL_PASSES, STILL_FAILS }

  /** One signature that verified under the base and not under the head. */
  public record LostSignature(String signer, String format, String why) {}

  public record ImageImpact(String reference, List<String> tags, Change change, String baseStatement, String headStatement,
      List<LostSignature> lost, String why) {}

  public record Report(String environment, List<ImageImpact> images, List<String> problems) {
    public List<ImageImpact> breaking() {
      return images.stream().filter(i -> i.change() == Change.BREAKS).toList();
    }
  }

  private Impact() {}

  public static Report of(AcceptedEnvironment base, AcceptedEnvironment head, List<SignatureScanner.Image> scanned, List<String> problems,
      Instant now) {
    List<ImageImpact> impacts = new ArrayList<>();
    for (SignatureScanner.Image image : scanned) {
      String reference = image.reference().toString();
      List<SignatureBlob> blobs = image.signatures().stream().map(s -> new SignatureBlob(s.mediaType(), s.envelope())).toList();
      Verdict before = NotationVerifier.verify(reference, image.reference().digest(), blobs, base, now);
      Verdict after = NotationVerifier.verify(reference, image.reference().digest(), blobs, head, now);
      List<LostSignature> lost = new ArrayList<>();
      for (int i = 0; i < before.signatures().size() && i < after.signatures().size(); i++) {
        SignatureOutcome was = before.signatures().get(i);
        SignatureOutcome is = after.signatures().get(i);
        if (was.passed() && !is.passed()) {
          lost.add(new LostSignature(was.signer(), was.format(), why(before, after, is)));
        }
      }
      Change change = before.passed() ? (after.passed() ? Change.STILL_PASSES : Change.BREAKS)
          : after.passed() ? Change.FIXES : Change.STILL_FAILS;
      String why = change == Change.BREAKS ? (lost.isEmpty() ? scopeWhy(before, after) : lost.getFirst().why()) : null;
      impacts.add(new ImageImpact(reference, image.tags(), change, before.statement(), after.statement(), List.copyOf(lost), why));
    }
    return new Report(head.name(), List.copyOf(impacts), List.copyOf(problems));
  }

  /** Why a signature that verified under the base does not under the head, in the reviewer's words. */
  static String why(Verdict before, Verdict after, SignatureOutcome is) {
    if (before.statement() != null && !before.statement().equals(after.statement())) {
      return scopeWhy(before, after);
    }
    var authenticity = is.check(Check.AUTHENTICITY);
    if (authenticity.isPresent() && authenticity.get().failed()) {
      String reason = authenticity.get().failure();
      String lower = reason.toLowerCase();
      if (lower.contains("identit")) {
        return "identity narrowed: statement " + after.statement() + " no longer trusts " + is.signer() + " (" + reason + ")";
      }
      return "store removed: no trust store of statement " + after.statement() + " holds the root of " + is.signer() + " (" + reason + ")";
    }
    return is.reason() == null ? "no longer verifies" : is.reason();
  }

  private static String scopeWhy(Verdict before, Verdict after) {
    if (after.statement() == null) {
      return "scope moved: no statement of the head covers the image (it was " + before.statement() + ")"
          + (after.reason() == null ? "" : ": " + after.reason());
    }
    if (!after.statement().equals(before.statement())) {
      return "scope moved: statement " + after.statement() + " judges the image now, not " + before.statement()
          + (after.reason() == null ? "" : ": " + after.reason());
    }
    return after.reason();
  }
}
