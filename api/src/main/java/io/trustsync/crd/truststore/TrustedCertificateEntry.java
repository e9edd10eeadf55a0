package io.trustsync.crd.truststore;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;

@JsonPropertyOrder({"source", "subject", "issuer", "notBefore", "notAfter", "sha256Fingerprint", "pem"})
public class TrustedCertificateEntry {
  @JsonPropertyDescription("Repository path of the file the certificate came from, with '#<n>' for the n-th certificate of a bundle.")
  public String source;

  @JsonPropertyDescription("Subject distinguished name (RFC 4514).")
  public String subject;

  @JsonPropertyDescription("Issuer distinguished name (RFC 4514).")
  public String issuer;

  @JsonPropertyDescription("Start of validity, RFC 3339.")
  public String notBefore;

  @JsonPropertyDescription("End of validity, RFC 3339; alert on it before the root expires.")
  public String notAfter;

  @JsonPropertyDescription("SHA-256 fingerprint of the DER certificate, lowercase hex.")
  public String sha256Fingerprint;

  @Required
  @JsonPropertyDescription("The certificate, PEM encoded.")
  public String pem;
}
