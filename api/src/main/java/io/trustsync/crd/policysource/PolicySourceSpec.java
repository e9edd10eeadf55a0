package io.trustsync.crd.policysource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.trustsync.crd.SecretReference;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicySourceSpec {
  @Required
  @JsonPropertyDescription("Git URL: https://, ssh:// or git@host:path. Plain http:// only when the operator runs with --allow-insecure-http, and never with credentials.")
  public String url;

  @JsonPropertyDescription("Credentials Secret: username+password or bearerToken for HTTPS, identity (private key) and known_hosts for SSH, ca.crt for an HTTPS server signed by a private CA.")
  public SecretReference secretRef;

  @JsonPropertyDescription("What to check out; exactly one of branch, tag, semver or commit. Default: branch main.")
  public GitReference ref;

  @JsonPropertyDescription("Folder inside the Git repository that holds the policy repository (environments/, truststore/). Default: the root.")
  public String path;

  @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
  @JsonPropertyDescription("How often to poll, e.g. 30s, 5m, 1h; never more often than the operator's --min-source-interval (default 10s). A signed webhook fetches at once. Default: 1m.")
  public String interval;

  @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
  @JsonPropertyDescription("Time limit of one whole fetch, every network operation included; at most the operator's --max-source-timeout (default 5m). Default: 60s.")
  public String timeout;

  @Pattern("^([0-9a-f]{40}|[0-9a-f]{64})$")
  @JsonPropertyDescription("A deliberate rollback: accept exactly this commit when the ref points at it, although it does not descend from the last accepted revision (every other revision must). Audited by the RollbackAccepted event and the RolledBack condition. Remove it once the ref moves forward again.")
  public String rollbackTo;

  @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
  @JsonPropertyDescription("When set, the Stale condition and trustsync_source_stale metric report a source whose accepted commit is older than this (by its commit time), e.g. 168h: a frozen mirror or a stuck pipeline. Push a signed heartbeat commit to keep an unchanged policy fresh.")
  public String maxRevisionAge;

  @JsonPropertyDescription("Commit signature verification; when set, an unsigned or untrusted commit is never accepted.")
  public SignatureVerification verify;

  @JsonPropertyDescription("Secret whose key 'token' is the webhook secret: GitHub X-Hub-Signature-256 HMAC, GitLab X-Gitlab-Token, or generic X-Signature HMAC.")
  public SecretReference webhookSecretRef;

  @JsonPropertyDescription("Stop fetching; the last accepted revision keeps being served.")
  public Boolean suspend;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class GitReference {
    @JsonPropertyDescription("Branch to follow.")
    public String branch;

    @JsonPropertyDescription("Tag to check out.")
    public String tag;

    @JsonPropertyDescription("Semver range; the highest matching tag is checked out, e.g. '>=1.0.0 <2.0.0' or '^1.2'.")
    public String semver;

    @Pattern("^[0-9a-f]{40}$")
    @JsonPropertyDescription("Full commit SHA to pin.")
    public String commit;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SignatureVerification {
    @Pattern("^HEAD$")
    @JsonPropertyDescription("What to verify: HEAD, the commit that is checked out.")
    public String mode;

    @Required
    @JsonPropertyDescription("Secret with trusted public keys: ASCII-armored PGP keys (*.asc, *.gpg) and SSH public keys (*.pub, allowed_signers).")
    public SecretReference secretRef;
  }
}
