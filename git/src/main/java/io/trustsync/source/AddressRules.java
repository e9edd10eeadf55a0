package io.trustsync.source;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which network addresses a Git URL may resolve to. Loopback (the operator's own ports), link-local
 * (the cloud's instance metadata service), unspecified and multicast addresses are always denied,
 * and so is every range in {@code deny}; a range in {@code allow} overrides both. The JVM caches a
 * lookup for 30 s, so the connection that follows the check uses the address that was checked.
 */
public record AddressRules(List<Cidr> allow, List<Cidr> deny) {

  private static final List<Cidr> ALWAYS_DENIED = List.of(
      Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"),
      Cidr.parse("169.254.0.0/16"), Cidr.parse("fe80::/10"),
      Cidr.parse("0.0.0.0/8"), Cidr.parse("::/128"),
      Cidr.parse("224.0.0.0/4"), Cidr.parse("ff00::/8"),
      // metadata services not on link-local addresses: AWS over IPv6, Alibaba Cloud
      Cidr.parse("fd00:ec2::254/128"), Cidr.parse("100.100.100.200/32"),
      // loopback and link-local reached through NAT64
      Cidr.parse("64:ff9b::7f00:0/104"), Cidr.parse("64:ff9b::a9fe:0/112"));

  public static final AddressRules DEFAULT = new AddressRules(List.of(), List.of());

  public AddressRules {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
  }

  public AddressRules allowing(Cidr range) {
    List<Cidr> more = new ArrayList<>(allow);
    more.add(range);
    return new AddressRules(more, deny);
  }

  public AddressRules denying(Cidr range) {
    List<Cidr> more = new ArrayList<>(deny);
    more.add(range);
    return new AddressRules(allow, more);
  }

  /**
   * Resolves the host and refuses it when any of its addresses is denied. The message never says
   * which address it resolved to: DNS answers inside the cluster are no tenant's business.
   */
  public void check(String host) throws SourceException {
    check(host, java.time.Duration.ofSeconds(10));
  }

  /** The same, giving up when the name server has not answered within {@code timeout}. */
  public void check(String host, java.time.Duration timeout) throws SourceException {
    if (host == null || host.isEmpty()) {
      return;
    }
    String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    InetAddress[] addresses;
    var lookup = new java.util.concurrent.FutureTask<>(() -> InetAddress.getAllByName(name));
    Thread.ofVirtual().name("lookup").start(lookup);
    try {
      addresses = lookup.get(Math.max(1, timeout.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      lookup.cancel(true);
      throw new SourceException(SourceException.UNREACHABLE.formatted(host));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SourceException(SourceException.UNREACHABLE.formatted(host));
    }
    for (InetAddress address : addresses) {
      if (denied(address)) {
        throw new SourceException("host " + host + " is on a network sources may not reach (loopback, link-local,"
            + " metadata or a range the administrator denied); an administrator can allow a range with --source-allow-cidr");
      }
    }
  }

  boolean denied(InetAddress address) {
    InetAddress plain = unmapped(address);
    if (allow.stream().anyMatch(c -> c.contains(plain))) {
      return false;
    }
    return ALWAYS_DENIED.stream().anyMatch(c -> c.contains(plain)) || deny.stream().anyMatch(c -> c.contains(plain));
  }

  /** ::ffff:127.0.0.1 is 127.0.0.1. */
  private static InetAddress unmapped(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      mapped &= b[10] == (byte) 0xff && b[11] == (byte) 0xff;
      if (mapped) {
        try {
          return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
          return address;
        }
      }
    }
    return address;
  }
}
