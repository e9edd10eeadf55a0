package io.trustsync.trustpolicy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A trust policy document ({@code trustpolicy.json} / {@code trustpolicy.oci.json}) as notation
 * would see it, plus the parsed JSON it came from (kept for rendering it verbatim).
 */
public record TrustPolicyDocument(String file, String version, List<TrustPolicyStatement> statements, JsonNode json) {}
