package io.trustsync.trustpolicy;

import java.util.List;
import java.util.Map;

/**
 * One statement of a trust policy document, as notation-go would decode it. {@code pointer} is
 * the JSON pointer of the statement in its file (e.g. {@code /trustPolicies/0}). Absent lists are
 * empty, absent strings are empty (Go's zero values).
 */
public record TrustPolicyStatement(
    String name,
    List<String> registryScopes,
    String level,
    Map<String, String> override,
    String verifyTimestamp,
    List<String> trustStores,
    List<String> trustedIdentities,
    String pointer) {}
