package io.trustsync.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How to authenticate to a registry: anonymously, with a user name and password (sent as Basic,
 * or traded for a bearer token where the registry asks for one), or with a bearer token.
 */
public sealed interface RegistryCredentials {
  RegistryCredentials ANONYMOUS = new Anonymous();

  record Anonymous() implements RegistryCredentials {}

  record Basic(String username, String password) implements RegistryCredentials {
    String header() {
      return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "Basic[" + username + "]"; // never the password
    }
  }

  record Bearer(String token) implements RegistryCredentials {
    @Override
    public String toString() {
      return "Bearer[…]";
    }
  }
}
