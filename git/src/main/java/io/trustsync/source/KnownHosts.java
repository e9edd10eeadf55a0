package io.trustsync.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

/**
 * The SSH host keys a source trusts, from known_hosts text (plain or hashed host names). A key not
 * listed, or different from the listed one, is refused; there is no trust on first use. The
 * reason is kept so the fetch error can say it instead of JGit's generic message.
 */
final class KnownHosts implements ServerKeyDatabase {

  private record Entry(KnownHostEntry line, PublicKey key) {}

  private final List<Entry> entries;
  private final AtomicReference<String> rejection = new AtomicReference<>();

  KnownHosts(String knownHostsText) throws SourceException {
    List<Entry> parsed = new ArrayList<>();
    try {
      for (KnownHostEntry line : KnownHostEntry.readKnownHostEntries(new BufferedReader(new StringReader(knownHostsText)))) {
        if (line.getMarker() == null || "revoked".equals(line.getMarker())) {
          parsed.add(new Entry(line, line.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.FAILING)));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new SourceException("known_hosts in the credentials Secret cannot be read: each line must be"
          + " '<host> <key type> <base64 key>' as ssh-keyscan prints it");
    }
    if (parsed.isEmpty()) {
      throw new SourceException("known_hosts holds no host key");
    }
    this.entries = List.copyOf(parsed);
  }

  /** Why the last host key was refused, or null. */
  String rejection() {
    return rejection.get();
  }

  @Override
  public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
    return matching(connectAddress, remoteAddress).stream()
        .filter(e -> e.line().getMarker() == null).map(Entry::key).toList();
  }

  @Override
  public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
      Configuration config, CredentialsProvider provider) {
    List<Entry> known = matching(connectAddress, remoteAddress);
    String offered = KeyUtils.getKeyType(serverKey) + " " + KeyUtils.getFingerPrint(serverKey);
    if (known.stream().anyMatch(e -> e.line().getMarker() != null && KeyUtils.compareKeys(e.key(), serverKey))) {
      rejection.set("host key " + offered + " of " + connectAddress + " is revoked in known_hosts");
      return false;
    }
    if (known.stream().anyMatch(e -> e.line().getMarker() == null && KeyUtils.compareKeys(e.key(), serverKey))) {
      return true;
    }
    rejection.set(known.isEmpty()
        ? "host key of " + connectAddress + " is not in known_hosts (the server offered " + offered
            + "); add the server's host key to known_hosts"
        : "host key for " + connectAddress + " does not match known_hosts (the server offered " + offered
            + "); the server's key changed or the connection is intercepted");
    return false;
  }

  private List<Entry> matching(String connectAddress, InetSocketAddress remoteAddress) {
    String host = connectAddress;
    int port = 22;
    if (connectAddress.startsWith("[") && connectAddress.contains("]:")) {
      host = connectAddress.substring(1, connectAddress.indexOf("]:"));
      port = Integer.parseInt(connectAddress.substring(connectAddress.indexOf("]:") + 2));
    }
    String finalHost = host;
    int finalPort = port;
    String ip = remoteAddress == null || remoteAddress.getAddress() == null ? null
        : remoteAddress.getAddress().getHostAddress();
    return entries.stream()
        .filter(e -> e.line().isHostMatch(finalHost, finalPort) || (ip != null && e.line().isHostMatch(ip, finalPort)))
        .toList();
  }
}
