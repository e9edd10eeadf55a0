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
  private final PrivateCaConnections caConnections;
  private final KnownHosts knownHosts;
  private final SshdSessionFactory sshSessions;

  RemoteAccess(GitSource source, Path sshHome) throws SourceException {
    this.source = source;
    this.caConnections = source.caPem() == null ? null : PrivateCaConnections.fromPem(source.caPem());
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
      if (caConnections != null) {
        http.setHttpConnectionFactory(caConnections);
      }
      if (source.auth() instanceof GitAuth.Bearer bearer) {
        http.setAdditionalHeaders(Map.of("Authorization", "Bearer " + bearer.token()));
      }
    }
    if (transport instanceof SshTransport ssh && sshSessions != null) {
      ssh.setSshSessionFactory(sshSessions);
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
      throw new SourceException("the SSH private key cannot be read (wrong passphrase or format?): " + e.getMessage(), e);
    }
  }
}
