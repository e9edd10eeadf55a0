package io.trustsync.validation;

import io.trustsync.findings.EditDistance;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import io.trustsync.json.Position;
import io.trustsync.repository.EnvironmentDirectory;
import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.TrustStoreDirectory;
import io.trustsync.trustpolicy.IdentityMatch;
import io.trustsync.trustpolicy.TrustPolicyDocument;
import io.trustsync.trustpolicy.TrustPolicyStatement;
import io.trustsync.truststore.LoadedTrustStore;
import io.trustsync.validation.ExpectedSigners.Entry;
import io.trustsync.validation.ExpectedSigners.ExpectedIdentity;
import io.trustsync.validation.ExpectedSigners.RepositoryPattern;
import io.trustsync.validation.ExpectedSignersFile.DraftEntry;
import io.trustsync.validation.ExpectedSignersFile.SignerReference;
import io.trustsync.validation.SignerRules.Signer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code signer.expected.*} rules that relate an environment's {@code expected-signers.yaml}
 * to the rest of the repository: each pattern must be covered by a registry scope of the
 * environment's trust policy ({@code uncovered}), each expected identity must be trusted by a
 * statement covering it and, when signer certificates are committed, held by one of them whose
 * chain reaches that statement's stores ({@code unknownIdentity}), each referenced signer must be a
 * known one ({@code unknownSigner}), and two entries whose patterns match the same repository are
 * a warning ({@code overlap}). Otherwise the audit would flag every image of an expectation that
 * can never verify.
 */
final class ExpectedSignerRules {
  private ExpectedSignerRules() {}

  /** The findings about one environment's file, and what it says, resolved (signer references become their subjects). */
  record Result(List<Finding> findings, ExpectedSigners expectedSigners) {}

  static Result check(PolicyRepository repository, EnvironmentDirectory environment, TrustPolicyDocument policy,
      Map<TrustStoreDirectory, LoadedTrustStore> loaded) {
    List<Finding> findings = new ArrayList<>();
    ExpectedSignersFile.Draft draft = ExpectedSignersFile.read(environment.expectedSigners(), findings);
    List<Signer> known = new ArrayList<>(SignerRules.read(repository.sharedSigners(), new ArrayList<>()));
    known.addAll(SignerRules.read(environment.signers(), new ArrayList<>()));
    Check check = new Check(repository, environment, draft, known, loaded, findings);
    List<Entry> entries = new ArrayList<>();
    for (DraftEntry entry : draft.entries()) {
      entries.add(new Entry(entry.repositories(), check.identities(entry), entry.pointer()));
    }
    check.overlaps(entries);
    if (policy != null) {
      check.againstPolicy(entries, policy);
    }
    return new Result(findings, new ExpectedSigners(draft.file(), entries));
  }

  private static final class Check {
    private final PolicyRepository repository;
    private final EnvironmentDirectory environment;
    private final ExpectedSignersFile.Draft draft;
    private final List<Signer> known;
    private final Map<TrustStoreDirectory, LoadedTrustStore> loaded;
    private final List<Finding> findings;
    private final Map<Signer, Map<LoadedTrustStore, Boolean>> chains = new HashMap<>();

    Check(PolicyRepository repository, EnvironmentDirectory environment, ExpectedSignersFile.Draft draft, List<Signer> known,
        Map<TrustStoreDirectory, LoadedTrustStore> loaded, List<Finding> findings) {
      this.repository = repository;
      this.environment = environment;
      this.draft = draft;
      this.known = known;
      this.loaded = loaded;
      this.findings = findings;
    }

    /** The entry's identities, its signer references resolved to the subjects of the known signers they name. */
    List<ExpectedIdentity> identities(DraftEntry entry) {
      List<ExpectedIdentity> identities = new ArrayList<>(entry.identities());
      for (SignerReference reference : entry.signers()) {
        Signer signer = known.stream().filter(s -> s.file().path().equals(reference.path())).findFirst().orElse(null);
        if (signer == null) {
          error("signer.expected.unknownSigner", reference.pointer(), unknownSigner(reference.path()));
        } else if (!signer.subject().isEmpty()) {
          identities.add(new ExpectedIdentity(IdentityMatch.identity(signer.subject()), signer.subject(), reference.path(), reference.pointer()));
        }
      }
      return identities;
    }

    private String unknownSigner(String path) {
      String message = "'" + path + "' is not a signer certificate of environment '" + environment.name() + "'";
      String inEnvironment = environment.path() + "/" + path;
      if (known.stream().anyMatch(s -> s.file().path().equals(inEnvironment))) {
        return message + "; signer paths start at the repository root: write '" + inEnvironment + "'";
      }
      if (known.isEmpty()) {
        return message + ": there is none (no readable certificate under signers/ or " + environment.path()
            + "/signers/); commit the team's signing certificate there (leaf first, then intermediates), or name the identity under identities:";
      }
      String closest = null;
      int distance = Integer.MAX_VALUE;
      for (Signer signer : known) {
        int d = EditDistance.between(path.toLowerCase(Locale.ROOT), signer.file().path().toLowerCase(Locale.ROOT));
        if (d < distance) {
          distance = d;
          closest = signer.file().path();
        }
      }
      String suggestion = distance <= Math.max(2, path.length() / 4) ? "; did you mean '" + closest + "'?" : "";
      return message + suggestion + " Name a file under signers/ or " + environment.path() + "/signers/ by its path from the repository root"
          + " (known: " + known.stream().map(s -> s.file().path()).limit(5).collect(Collectors.joining(", "))
          + (known.size() > 5 ? ", ..." : "") + "), or commit the certificate";
    }

    /** signer.expected.overlap: for each pattern, the earliest pattern of another entry that can match a repository it matches. */
    void overlaps(List<Entry> entries) {
      Map<String, List<Seen>> exact = new HashMap<>();
      Map<String, List<Seen>> prefixes = new HashMap<>();
      Map<String, List<Seen>> below = new HashMap<>(); // every pattern, under each proper ancestor of its base
      int order = 0;
      for (int e = 0; e < entries.size(); e++) {
        for (RepositoryPattern pattern : entries.get(e).repositories()) {
          Seen current = new Seen(e, order++, pattern);
          Seen other = null;
          if (!pattern.isPrefix()) {
            other = earliest(other, exact.get(pattern.pattern()), e);
          } else {
            other = earliest(other, prefixes.get(pattern.base()), e);
            other = earliest(other, below.get(pattern.base()), e);
          }
          for (String ancestor : ancestors(pattern.base())) {
            other = earliest(other, prefixes.get(ancestor), e);
          }
          if (other != null) {
            overlap(current, other, entries);
          }
          remember(pattern.isPrefix() ? prefixes : exact, pattern.base(), current);
          for (String ancestor : ancestors(pattern.base())) {
            remember(below, ancestor, current);
          }
        }
      }
    }

    private record Seen(int entry, int order, RepositoryPattern pattern) {}

    /**
     * Keeps, per key, the first pattern of the first two entries only: whichever entry asks next,
     * the earliest pattern of another entry is one of them, and a file of many patterns stays linear.
     */
    private static void remember(Map<String, List<Seen>> index, String key, Seen seen) {
      List<Seen> kept = index.computeIfAbsent(key, k -> new ArrayList<>(2));
      if (kept.isEmpty() || (kept.size() == 1 && kept.getFirst().entry() != seen.entry())) {
        kept.add(seen);
      }
    }

    /** The earlier of {@code best} and the first of {@code candidates} from an entry other than {@code entry}. */
    private static Seen earliest(Seen best, List<Seen> candidates, int entry) {
      if (candidates == null) {
        return best;
      }
      for (Seen candidate : candidates) {
        if (candidate.entry() != entry) {
          return best == null || candidate.order() < best.order() ? candidate : best;
        }
      }
      return best;
    }

    private void overlap(Seen later, Seen earlier, List<Entry> entries) {
      RepositoryPattern a = later.pattern();
      RepositoryPattern b = earlier.pattern();
      String both;
      if (!a.isPrefix() || !b.isPrefix()) {
        both = "both match " + (a.isPrefix() ? b.pattern() : a.pattern());
      } else {
        String deeper = a.base().length() >= b.base().length() ? a.base() : b.base();
        both = "both match every repository under " + deeper + "/";
      }
      Seen winner = a.specificity() > b.specificity() ? later : earlier;
      String how = a.pattern().equals(b.pattern())
          ? "the audit uses the first of two equal patterns, so the identities of " + entries.get(earlier.entry()).pointer() + " count there and these do not"
          : "the audit applies only the most specific pattern, '" + winner.pattern().pattern() + "', so only the identities of "
              + entries.get(winner.entry()).pointer() + " count there";
      Position at = draft.positionOf(b.pointer());
      findings.add(warning("signer.expected.overlap", a.pointer(), "repository pattern '" + a.pattern() + "' overlaps '" + b.pattern() + "' at "
          + b.pointer() + (at.line() > 0 ? " (line " + at.line() + ")" : "") + ": " + both + ", and " + how
          + ". Merge the two entries, or narrow one pattern, so each repository has one list of expected signers"));
    }

    /** signer.expected.uncovered and signer.expected.unknownIdentity. */
    void againstPolicy(List<Entry> entries, TrustPolicyDocument policy) {
      Scopes scopes = new Scopes(policy);
      for (Entry entry : entries) {
        Map<RepositoryPattern, List<TrustPolicyStatement>> covering = new LinkedHashMap<>();
        for (RepositoryPattern pattern : entry.repositories()) {
          List<TrustPolicyStatement> statements = scopes.covering(pattern);
          if (statements.isEmpty()) {
            error("signer.expected.uncovered", pattern.pointer(), uncovered(pattern, policy, scopes));
          } else {
            covering.put(pattern, statements);
          }
        }
        for (ExpectedIdentity identity : entry.identities()) {
          identity(identity, covering, policy);
        }
      }
    }

    private String uncovered(RepositoryPattern pattern, TrustPolicyDocument policy, Scopes scopes) {
      String what = pattern.isPrefix()
          ? "no registry scope of " + policy.file() + " is a repository under " + pattern.base() + "/"
          : "no statement of " + policy.file() + " has the registry scope '" + pattern.pattern() + "'";
      String nearest = scopes.nearest(pattern);
      return what + ", and none has \"*\": notation has no trust policy for these images, so none of them can verify and the audit would flag every one."
          + (nearest != null ? " Did you mean '" + nearest + "'?" : "")
          + " Add the repository to a statement's registryScopes, or fix or remove the pattern";
    }

    private void identity(ExpectedIdentity identity, Map<RepositoryPattern, List<TrustPolicyStatement>> covering, TrustPolicyDocument policy) {
      List<String> untrustedFor = new ArrayList<>();
      Set<TrustPolicyStatement> consulted = new LinkedHashSet<>();
      Set<TrustPolicyStatement> trusting = new LinkedHashSet<>();
      covering.forEach((pattern, statements) -> {
        consulted.addAll(statements);
        List<TrustPolicyStatement> trust = statements.stream().filter(s -> trusts(s, identity)).toList();
        if (trust.isEmpty()) {
          untrustedFor.add(pattern.pattern());
        }
        trusting.addAll(trust);
      });
      String who = identity.signer() == null ? "expected identity '" + identity.identity() + "'"
          : "expected signer " + identity.signer() + " ('" + identity.identity() + "')";
      if (!untrustedFor.isEmpty()) {
        error("signer.expected.unknownIdentity", identity.pointer(), who + " is trusted by no statement of " + policy.file() + " covering "
            + String.join(", ", untrustedFor) + ": every image it signs there would fail verification, so the audit would flag each one. "
            + closestTrusted(identity, consulted));
        return;
      }
      // with signer certificates committed, someone must hold the identity and chain to a trusting statement's stores
      List<Signer> holders = identity.signer() != null
          ? known.stream().filter(s -> s.file().path().equals(identity.signer())).toList()
          : known.stream().filter(s -> IdentityMatch.matches(identity.attributes(), s.subject())).toList();
      if (trusting.isEmpty() || known.isEmpty()
          || holders.stream().anyMatch(signer -> trusting.stream().anyMatch(statement -> chainsToStoreOf(signer, statement)))) {
        return;
      }
      String stores = trusting.stream().map(s -> "'" + s.name() + "' " + s.trustStores()).collect(Collectors.joining(", "));
      if (identity.signer() != null) {
        error("signer.expected.unknownIdentity", identity.pointer(), who + " does not chain to the stores of the statements that trust it (" + stores
            + "), so no signature of it can verify. Commit its intermediates after the leaf in the same file, or add its root to one of those stores");
        return;
      }
      error("signer.expected.unknownIdentity", identity.pointer(), who + " is held by no known signer whose chain reaches the stores of " + stores
          + " (" + known.size() + " signer certificate" + (known.size() == 1 ? "" : "s") + " under signers/), so no signature of it can verify. "
          + closestSigner(identity));
    }

    private static boolean trusts(TrustPolicyStatement statement, ExpectedIdentity identity) {
      if (statement.level().equals("skip")) {
        return false;
      }
      return statement.trustedIdentities().stream()
          .anyMatch(trusted -> trusted.equals(IdentityMatch.ANY) || IdentityMatch.matches(IdentityMatch.wanted(trusted), identity.attributes()));
    }

    /** The fix for an untrusted identity: the closest identity a consulted statement trusts, and how they differ. */
    private static String closestTrusted(ExpectedIdentity identity, Set<TrustPolicyStatement> consulted) {
      List<TrustPolicyStatement> skipping = consulted.stream().filter(s -> s.level().equals("skip")).toList();
      String bestStatement = null;
      String bestIdentity = null;
      List<String> bestDifferences = null;
      for (TrustPolicyStatement statement : consulted) {
        if (statement.level().equals("skip")) {
          continue;
        }
        for (String trusted : statement.trustedIdentities()) {
          Map<String, String> wanted = IdentityMatch.wanted(trusted);
          if (wanted == null) {
            continue;
          }
          List<String> differences = IdentityMatch.differences(wanted, identity.attributes(), "the trust policy", "the expected identity");
          if (bestDifferences == null || differences.size() < bestDifferences.size()) {
            bestStatement = statement.name();
            bestIdentity = trusted;
            bestDifferences = differences;
          }
        }
      }
      String skipNote = skipping.isEmpty() ? "" : "(" + (skipping.size() == 1 ? "statement " : "statements ")
          + skipping.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "))
          + (skipping.size() == 1 ? " skips" : " skip") + " verification, so it trusts no one.) ";
      if (bestStatement == null) {
        return skipNote + "Add the identity to the trustedIdentities of the statement for these repositories, or remove it here";
      }
      return skipNote + "Closest: '" + bestIdentity + "' in statement '" + bestStatement + "', where " + String.join("; ", bestDifferences)
          + ". Copy the identity from the trust policy exactly, or add this one to the statement's trustedIdentities";
    }

    private String closestSigner(ExpectedIdentity identity) {
      Signer closest = null;
      List<String> closestDifferences = null;
      for (Signer signer : known) {
        List<String> differences = IdentityMatch.differences(identity.attributes(), signer.subject(), "the expected identity", "the certificate");
        if (closestDifferences == null || differences.size() < closestDifferences.size()) {
          closest = signer;
          closestDifferences = differences;
        }
      }
      String where = closestDifferences.isEmpty() ? ", which has the identity but chains to none of those stores"
          : ", where " + String.join("; ", closestDifferences);
      return "Closest: " + closest.display() + where + ". Copy the subject of the signing certificate exactly, or commit the team's"
          + " certificate (leaf first, then intermediates) under signers/";
    }

    private boolean chainsToStoreOf(Signer signer, TrustPolicyStatement statement) {
      for (LoadedTrustStore store : SignerRules.stores(repository, environment, statement, loaded)) {
        Map<LoadedTrustStore, Boolean> bySigner = chains.computeIfAbsent(signer, s -> new HashMap<>());
        if (bySigner.computeIfAbsent(store, s -> SignerRules.chainsTo(signer, s))) {
          return true;
        }
      }
      return false;
    }

    private void error(String rule, String pointer, String message) {
      Position at = draft.positionOf(pointer);
      findings.add(new Finding(rule, Severity.ERROR, draft.file(), pointer, at.line(), at.column(), message));
    }

    private Finding warning(String rule, String pointer, String message) {
      Position at = draft.positionOf(pointer);
      return new Finding(rule, Severity.WARNING, draft.file(), pointer, at.line(), at.column(), message);
    }
  }

  /** The proper ancestors of {@code base} at its '/' boundaries: "r.io/a/b" gives "r.io" and "r.io/a". */
  static List<String> ancestors(String base) {
    List<String> ancestors = new ArrayList<>();
    for (int slash = base.indexOf('/'); slash > 0; slash = base.indexOf('/', slash + 1)) {
      ancestors.add(base.substring(0, slash));
    }
    return ancestors;
  }

  /** The registry scopes of one trust policy, indexed for "which statements does notation use for repositories matching this pattern?". */
  private static final class Scopes {
    private final Map<String, TrustPolicyStatement> exact = new HashMap<>();
    private final Map<String, Set<TrustPolicyStatement>> under = new HashMap<>();
    private TrustPolicyStatement global;

    Scopes(TrustPolicyDocument policy) {
      for (TrustPolicyStatement statement : policy.statements()) {
        for (String scope : statement.registryScopes()) {
          if (scope.equals("*")) {
            global = global == null ? statement : global;
            continue;
          }
          exact.putIfAbsent(scope, statement);
          for (String ancestor : ancestors(scope)) {
            under.computeIfAbsent(ancestor, k -> new LinkedHashSet<>()).add(statement);
          }
        }
      }
    }

    /**
     * Notation's statements for the repositories a pattern matches: for an exact repository the
     * statement naming it, else the "*" one; for a prefix every statement naming a repository
     * below it, and the "*" one for those no statement names.
     */
    List<TrustPolicyStatement> covering(RepositoryPattern pattern) {
      List<TrustPolicyStatement> statements = new ArrayList<>();
      if (!pattern.isPrefix()) {
        TrustPolicyStatement named = exact.get(pattern.pattern());
        if (named != null) {
          return List.of(named);
        }
      } else {
        statements.addAll(under.getOrDefault(pattern.base(), Set.of()));
      }
      if (global != null && !statements.contains(global)) {
        statements.add(global);
      }
      return statements;
    }

    /** For a typo: the exact scope, or the folder of scopes (for a prefix), nearest to the pattern; null when none is near. */
    String nearest(RepositoryPattern pattern) {
      String text = pattern.base();
      Set<String> candidates = pattern.isPrefix() ? under.keySet() : exact.keySet();
      if (candidates.size() > 10_000) {
        return null; // a suggestion is a nicety; not worth a quadratic search
      }
      String best = null;
      int distance = Integer.MAX_VALUE;
      for (String candidate : candidates.stream().sorted().toList()) {
        int d = EditDistance.between(text.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
        if (d < distance) {
          distance = d;
          best = candidate;
        }
      }
      if (best == null || distance > Math.max(2, text.length() / 8)) {
        return null;
      }
      return pattern.isPrefix() ? best + RepositoryPattern.PREFIX_SUFFIX : best;
    }
  }
}
