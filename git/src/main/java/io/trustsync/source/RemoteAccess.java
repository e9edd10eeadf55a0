package io.trustsync.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Everything one fetch needs to reach the server: credentials, the private CA, the SSH key and
 * known hosts. Nothing is global, so concurrent fetches of different sources never see each
 * other's settings. Close it to release the SSH client.
 */
final class RemoteAccess implements TransportConfigCallback, AutoCloseable {

  private final GitSource source;
  private final GuardedHttpConnections httpConnections;
  private final KnownHosts knownHosts;
  private final SshdSessionFactory sshSessions;

  RemoteAccess(GitSource source, Path sshHome, SourceRules rules, FetchBudget budget) throws SourceException {
    this.source = source;
    if (source.isSsh() && !(source.auth() instanceof GitAuth.SshKey)) {
      // without known_hosts there is nothing to check the server's host key against
      throw new SourceException("SSH URL " + source.displayUrl() + " needs an SSH key and known_hosts in the credentials");
    }
    this.httpConnections = source.url().startsWith("http") ? new GuardedHttpConnections(origin(source), source.caPem(), rules, budget) : null;
    if (source.auth() instanceof GitAuth.SshKey key) {
      this.knownHosts = new KnownHosts(key.knownHosts());
      List<KeyPair> keys = readPrivateKey(key);
      this.sshSessions = new SshdSessionFactoryBuilder()
          // an empty home: never read the operator's own ~/.ssh keys, config or known_hosts
          .setHomeDirectory(sshHome.toFile())
          .setSshDirectory(sshHome.toFile())
          .setConfigStoreFactory((home, file, user) -> null)
          .setDefaultKeysProvider(dir -> keys)
          .setServerKeyDatabase((home, dir) -> knownHosts)
          .setPreferredAuthentications("publickey")
          .build(null);
      budget.onExpiry(sshSessions::close); // a trickling SSH server is cut off at the deadline
    } else {
      this.knownHosts = null;
      this.sshSessions = null;
    }
  }

  CredentialsProvider credentials() {
    return source.auth() instanceof GitAuth.Basic basic
        ? new UsernamePasswordCredentialsProvider(basic.username(), basic.password())
        : null;
  }

  @Override
  public void configure(Transport transport) {
    if (transport instanceof TransportHttp http) {
      http.setHttpConnectionFactory(httpConnections);
      if (source.auth() instanceof GitAuth.Bearer bearer) {
        http.setAdditionalHeaders(Map.of("Authorization", "Bearer " + bearer.token()));
      }
    }
    if (transport instanceof SshTransport ssh && sshSessions != null) {
      ssh.setSshSessionFactory(sshSessions);
    }
  }

  private static java.net.URL origin(GitSource source) throws SourceException {
    try {
      return java.net.URI.create(source.url()).toURL();
    } catch (IllegalArgumentException | java.net.MalformedURLException e) {
      throw new SourceException("URL " + source.displayUrl() + " is not a valid URL");
    }
  }

  /** Why the SSH host key was refused during this fetch, or null. */
  String hostKeyRejection() {
    return knownHosts == null ? null : knownHosts.rejection();
  }

  @Override
  public void close() {
    if (sshSessions != null) {
      sshSessions.close();
    }
  }

  private static List<KeyPair> readPrivateKey(GitAuth.SshKey key) throws SourceException {
    try {
      List<KeyPair> keys = new ArrayList<>();
      FilePasswordProvider passphrase = key.passphrase() == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(key.passphrase());
      Iterable<KeyPair> read = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("SSH private key"),
          new ByteArrayInputStream(key.privateKey().getBytes(StandardCharsets.UTF_8)), passphrase);
      if (read != null) {
        read.forEach(keys::add);
      }
      if (keys.isEmpty()) {
        throw new SourceException("the SSH private key holds no key");
      }
      return List.copyOf(keys);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // the parser's message may quote the key: say what to check instead
      throw new SourceException("the SSH private key (identity) cannot be read: wrong passphrase, or not an OpenSSH or PEM private key");
    }
  }
}
