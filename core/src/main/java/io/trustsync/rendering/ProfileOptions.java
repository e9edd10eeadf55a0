package io.trustsync.rendering;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a profile needs besides the policy: for {@code ratify-v2}, the API version to write and
 * the registry credential provider its registry store uses. Every field has a default, so a
 * distribution that says nothing gets what current Ratify reads.
 *
 * @param ratifyV2ApiVersion {@code config.ratify.sh/v2beta1} (Ratify v2's storage version, the
 *     default) or {@code config.ratify.sh/v2alpha1} (deprecated; for clusters on older Ratify)
 * @param registryCredential the registry store's {@code parameters.credential}: a provider and
 *     its non-secret options (never a password: an Executor is readable by whoever can read it)
 */
public record ProfileOptions(String ratifyV2ApiVersion, Map<String, String> registryCredential) {
  public static final String RATIFY_V2BETA1 = "config.ratify.sh/v2beta1";
  public static final String RATIFY_V2ALPHA1 = "config.ratify.sh/v2alpha1";
  public static final List<String> RATIFY_V2_API_VERSIONS = List.of(RATIFY_V2BETA1, RATIFY_V2ALPHA1);

  /**
   * The registry credential providers Ratify v2 registers, with the options each takes. {@code
   * static} without a username or password is anonymous pull, Ratify's own chart default.
   */
  public static final Map<String, Set<String>> CREDENTIAL_PROVIDERS = Map.of(
      "static", Set.of(),
      "azure", Set.of("clientID", "tenantID"),
      "aws", Set.of("region"));

  public static final ProfileOptions DEFAULTS = new ProfileOptions(RATIFY_V2BETA1, Map.of("provider", "static"));

  public ProfileOptions {
    ratifyV2ApiVersion = ratifyV2ApiVersion == null ? RATIFY_V2BETA1 : ratifyV2ApiVersion;
    registryCredential = registryCredential == null || registryCredential.isEmpty()
        ? Map.of("provider", "static") : Map.copyOf(registryCredential);
  }

  /**
   * Options from what a user wrote (a TrustDistribution's {@code spec.ratify}, render's flags);
   * empty values mean the default. Returns the reason it is refused, naming the field and the fix.
   */
  public static Result parse(String apiVersion, String provider, Map<String, String> providerOptions) {
    String version = apiVersion == null || apiVersion.isBlank() ? RATIFY_V2BETA1 : apiVersion.trim();
    if (!RATIFY_V2_API_VERSIONS.contains(version)) {
      return new Result(null, "ratify.apiVersion '" + version + "' is not one Ratify v2 serves; use " + String.join(" or ", RATIFY_V2_API_VERSIONS));
    }
    String chosen = provider == null || provider.isBlank() ? "static" : provider.trim();
    Set<String> allowed = CREDENTIAL_PROVIDERS.get(chosen);
    if (allowed == null) {
      return new Result(null, "ratify.registryCredential.provider '" + chosen + "' is not supported; use one of "
          + String.join(", ", new TreeMap<>(CREDENTIAL_PROVIDERS).keySet()));
    }
    Map<String, String> credential = new LinkedHashMap<>();
    credential.put("provider", chosen);
    for (Map.Entry<String, String> option : new TreeMap<>(providerOptions == null ? Map.<String, String>of() : providerOptions).entrySet()) {
      if (option.getValue() == null || option.getValue().isBlank()) {
        continue;
      }
      if (!allowed.contains(option.getKey())) {
        return new Result(null, "ratify.registryCredential." + option.getKey() + " does not apply to provider " + chosen
            + (allowed.isEmpty() ? " (it takes no options; static credentials are anonymous, since an Executor is no place for a password)"
                : "; it takes " + String.join(", ", new java.util.TreeSet<>(allowed))));
      }
      credential.put(option.getKey(), option.getValue().trim());
    }
    return new Result(new ProfileOptions(version, credential), null);
  }

  /** Options from a TrustDistribution's (or target's) {@code spec.ratify}; null means the defaults. */
  public static Result of(io.trustsync.crd.distribution.RatifyOptions ratify) {
    if (ratify == null) {
      return new Result(DEFAULTS, null);
    }
    var credential = ratify.registryCredential;
    Map<String, String> options = new LinkedHashMap<>();
    if (credential != null) {
      options.put("clientID", credential.clientID);
      options.put("tenantID", credential.tenantID);
      options.put("region", credential.region);
    }
    Result result = parse(ratify.apiVersion, credential == null ? null : credential.provider, options);
    return result.error() == null ? result : new Result(null, "spec." + result.error());
  }

  /** Parsed options, or why not. */
  public record Result(ProfileOptions options, String error) {
    public Optional<ProfileOptions> value() {
      return Optional.ofNullable(options);
    }
  }

  /** A stable key for caches: equal options, equal key. */
  public String cacheKey() {
    return ratifyV2ApiVersion + "|" + new TreeMap<>(registryCredential);
  }
}
