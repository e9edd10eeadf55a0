package io.trustsync.operator.source;

import io.fabric8.kubernetes.api.model.Secret;
import io.trustsync.crd.policysource.PolicySource;
import io.trustsync.crd.policysource.PolicySourceSpec;
import io.trustsync.operator.shared.SecretCache;
import io.trustsync.source.GitAuth;
import io.trustsync.source.GitRef;
import io.trustsync.source.GitSource;
import java.util.Map;

/**
 * Turns a PolicySource and its Secrets into what the Git library needs. Secret keys (as Flux
 * names them): {@code username}+{@code password} or {@code bearerToken} for HTTPS,
 * {@code identity} (+ optional {@code passphrase}) and {@code known_hosts} for SSH,
 * {@code ca.crt} for a private CA. Verification keys: every key of the verify Secret.
 */
final class SourceCredentials {
  static final class InvalidSourceException extends Exception {
    InvalidSourceException(String message) {
      super(message);
    }
  }

  private SourceCredentials() {}

  static GitSource describe(PolicySource source, SecretCache secrets) throws InvalidSourceException {
    PolicySourceSpec spec = source.getSpec();
    String namespace = source.getMetadata().getNamespace();
    if (spec == null || spec.url == null || spec.url.isBlank()) {
      throw new InvalidSourceException("spec.url is empty; set the Git URL of the policy repository");
    }
    GitSource git;
    try {
      git = GitSource.of(spec.url.trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidSourceException("spec.url: " + e.getMessage());
    }
    try {
      PolicySourceSpec.GitReference ref = spec.ref;
      if (ref != null) {
        git = git.withRef(GitRef.of(ref.branch, ref.tag, ref.semver, ref.commit));
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidSourceException("spec.ref: " + e.getMessage());
    }
    if (spec.path != null && !spec.path.isBlank()) {
      git = git.withPath(spec.path);
    }
    if (spec.secretRef != null && spec.secretRef.name != null) {
      Map<String, String> data = secret(secrets, namespace, spec.secretRef.name, "spec.secretRef");
      try {
        if (data.containsKey("identity")) {
          if (!data.containsKey("known_hosts")) {
            throw new InvalidSourceException("Secret " + spec.secretRef.name + " has an SSH identity but no known_hosts; add the server's host key (ssh-keyscan) — TrustSync never accepts an unknown host key");
          }
          git = git.withAuth(new GitAuth.SshKey(data.get("identity"), data.get("passphrase"), data.get("known_hosts")));
        } else if (data.containsKey("bearerToken")) {
          git = git.withAuth(new GitAuth.Bearer(data.get("bearerToken").trim()));
        } else if (data.containsKey("username")) {
          git = git.withAuth(new GitAuth.Basic(data.get("username").trim(), data.getOrDefault("password", "")));
        }
      } catch (IllegalArgumentException e) {
        throw new InvalidSourceException("Secret " + spec.secretRef.name + ": " + e.getMessage());
      }
      if (data.containsKey("ca.crt")) {
        git = git.withCaPem(data.get("ca.crt"));
      }
    }
    if (spec.verify != null) {
      if (spec.verify.secretRef == null || spec.verify.secretRef.name == null) {
        throw new InvalidSourceException("spec.verify.secretRef.name is not set; name the Secret holding the trusted PGP/SSH public keys");
      }
      Map<String, String> keys = secret(secrets, namespace, spec.verify.secretRef.name, "spec.verify.secretRef");
      if (keys.isEmpty()) {
        throw new InvalidSourceException("Secret " + spec.verify.secretRef.name + " holds no keys; add the PGP (*.asc) or SSH (*.pub) public keys of the people allowed to merge");
      }
      git = git.withTrustedKeys(String.join("\n", keys.values()));
    }
    return git;
  }

  static Map<String, String> secret(SecretCache secrets, String namespace, String name, String field) throws InvalidSourceException {
    Secret secret;
    try {
      secret = secrets.get(namespace, name).orElse(null);
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      throw new InvalidSourceException(e.getCode() == 403
          ? field + ": the operator may not read Secrets in namespace " + namespace + "; grant it there (see docs/security.md, tenant namespaces)"
          : field + ": cannot read Secret " + namespace + "/" + name + " (HTTP " + e.getCode() + ")");
    }
    if (secret == null) {
      throw new InvalidSourceException(field + ": Secret " + namespace + "/" + name + " does not exist");
    }
    return io.trustsync.operator.shared.SecretData.of(secret);
  }
}
