package io.trustsync.crd.trustpolicy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Map;

@JsonPropertyOrder({"level", "override", "verifyTimestamp"})
public class SignatureVerificationSpec {
  @Required
  @Pattern("^(strict|permissive|audit|skip)$")
  @JsonPropertyDescription("strict, permissive, audit or skip.")
  public String level;

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyDescription("Per-check actions (authenticity, authenticTimestamp, expiry, revocation -> enforce, log, skip).")
  public Map<String, String> override;

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyDescription("always or afterCertExpiry.")
  public String verifyTimestamp;
}
