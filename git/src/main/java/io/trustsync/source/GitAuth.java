package io.trustsync.source;

/** How to authenticate to the Git server. {@code toString} never shows a secret. */
public sealed interface GitAuth {

  GitAuth NONE = new None();

  record None() implements GitAuth {}

  record Basic(String username, String password) implements GitAuth {
    public Basic {
      if (username == null || username.isEmpty() || password == null) {
        throw new IllegalArgumentException("basic auth needs a username and a password");
      }
    }

    @Override
    public String toString() {
      return "Basic[username=" + username + "]";
    }
  }

  /** Sent as {@code Authorization: Bearer <token>} on every HTTP request. */
  record Bearer(String token) implements GitAuth {
    public Bearer {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("bearer auth needs a token");
      }
    }

    @Override
    public String toString() {
      return "Bearer[***]";
    }
  }

  /**
   * An SSH private key (OpenSSH or PEM), its passphrase (null when unencrypted) and the
   * known_hosts lines the server's host key must match: there is no "accept any host key".
   */
  record SshKey(String privateKey, String passphrase, String knownHosts) implements GitAuth {
    public SshKey {
      if (privateKey == null || privateKey.isBlank()) {
        throw new IllegalArgumentException("SSH auth needs a private key");
      }
      if (knownHosts == null || knownHosts.isBlank()) {
        throw new IllegalArgumentException("SSH auth needs known_hosts lines for the server's host key");
      }
    }

    @Override
    public String toString() {
      return "SshKey[***]";
    }
  }
}
