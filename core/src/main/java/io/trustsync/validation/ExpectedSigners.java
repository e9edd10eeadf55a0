package io.trustsync.validation;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One environment's {@code expected-signers.yaml} as accepted by the gate: for repository patterns,
 * the signing identities the signer audit (PRODUCT.md §7) expects on their images. Every pattern is
 * covered by the environment's trust policy and every identity is one its statements trust, so an
 * expected signer's images can verify.
 *
 * <p>A pattern is an exact {@code registry/repository} or a prefix {@code registry/prefix/*} (every
 * repository below {@code registry/prefix/}, at any depth; {@code registry/*} is every repository of
 * the registry). When several patterns match a repository, the most specific one decides alone: an
 * exact repository before any prefix, a longer prefix before a shorter one, and between two equal
 * patterns the entry written first. The gate warns about such overlaps
 * ({@code signer.expected.overlap}).
 *
 * @param file the repository-relative path of the file; "" for {@link #NONE}
 */
public record ExpectedSigners(String file, List<Entry> entries) {
  /** No file: the audit expects no particular signer anywhere and reports signers as they are. */
  public static final ExpectedSigners NONE = new ExpectedSigners("", List.of());

  public ExpectedSigners {
    file = file == null ? "" : file;
    entries = List.copyOf(entries);
  }

  /** One item of {@code expectedSigners}: its patterns and what they expect; {@code pointer} is its JSON pointer in the file. */
  public record Entry(List<RepositoryPattern> repositories, List<ExpectedIdentity> identities, String pointer) {
    public Entry {
      repositories = List.copyOf(repositories);
      identities = List.copyOf(identities);
    }
  }

  /** {@code registry/repository} (exact) or {@code registry/prefix/*}; {@code pointer} is where it is written. */
  public record RepositoryPattern(String pattern, String pointer) {
    static final String PREFIX_SUFFIX = "/*";

    public boolean isPrefix() {
      return pattern.endsWith(PREFIX_SUFFIX);
    }

    /** The pattern without its trailing {@code /*}; the repository itself for an exact pattern. */
    public String base() {
      return isPrefix() ? pattern.substring(0, pattern.length() - PREFIX_SUFFIX.length()) : pattern;
    }

    /** Whether it applies to {@code registryRepository} ({@code registry/repository}, no tag or digest). */
    public boolean matches(String registryRepository) {
      if (!isPrefix()) {
        return pattern.equals(registryRepository);
      }
      String base = base();
      return registryRepository.length() > base.length() + 1 && registryRepository.startsWith(base + "/");
    }

    /** Whether some repository matches both patterns. */
    public boolean overlaps(RepositoryPattern other) {
      if (!isPrefix() && !other.isPrefix()) {
        return pattern.equals(other.pattern);
      }
      if (!isPrefix()) {
        return other.matches(pattern);
      }
      if (!other.isPrefix()) {
        return matches(other.pattern);
      }
      String a = base();
      String b = other.base();
      return a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/");
    }

    /** Higher wins: an exact repository beats every prefix, a longer prefix a shorter one. */
    int specificity() {
      return isPrefix() ? base().length() : Integer.MAX_VALUE;
    }
  }

  /**
   * An identity the audit expects: {@code identity} is the {@code x509.subject: ...} text (for a
   * signer reference, one naming every attribute of that signer's subject) and {@code attributes}
   * what it asks of a certificate's subject, matched as notation-go matches trusted identities.
   * {@code signer} is the referenced signer file ({@code signers: [...]} in the file), null for an
   * identity written out; {@code pointer} is where it is written.
   */
  public record ExpectedIdentity(String identity, Map<String, String> attributes, String signer, String pointer) {
    public ExpectedIdentity {
      attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes)); // in written order, for messages
    }

    /**
     * Whether a signature made with {@code leaf} is one of this identity's: notation-go's own match
     * (the leaf's subject as Go writes it), the one the signature verifier applies.
     */
    public boolean isSatisfiedBy(X509Certificate leaf) {
      return io.trustsync.trustpolicy.TrustedIdentities.matches(identity, leaf);
    }
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The entry that decides for {@code registryRepository}: the one with the most specific matching pattern; empty when none matches. */
  public Optional<Entry> entryFor(String registryRepository) {
    Entry best = null;
    int bestSpecificity = -1;
    for (Entry entry : entries) {
      for (RepositoryPattern pattern : entry.repositories()) {
        if (pattern.matches(registryRepository) && pattern.specificity() > bestSpecificity) {
          best = entry;
          bestSpecificity = pattern.specificity();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The identities expected for {@code registryRepository} ({@code registry/repository}, e.g.
   * {@code acme.azurecr.io/storefront/web}): those of the most specific matching pattern only. Empty
   * when no pattern matches, i.e. nothing is expected for that repository.
   */
  public List<ExpectedIdentity> forRepository(String registryRepository) {
    return entryFor(registryRepository).map(Entry::identities).orElse(List.of());
  }

  /** Whether signatures on {@code registryRepository} are expected from someone in particular. */
  public boolean expects(String registryRepository) {
    return entryFor(registryRepository).isPresent();
  }

  /**
   * Whether a signature on {@code registryRepository} made with {@code leaf} is from an expected
   * signer; false when nothing is expected for the repository (ask {@link #expects} first).
   */
  public boolean isExpected(String registryRepository, X509Certificate leaf) {
    return forRepository(registryRepository).stream().anyMatch(identity -> identity.isSatisfiedBy(leaf));
  }
}
