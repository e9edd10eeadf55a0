package io.trustsync.source;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range such as {@code 10.0.0.0/8} or {@code fd00::/8}. */
public record Cidr(byte[] network, int prefixLength, String text) {

  public static Cidr parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    if (!address.matches("[0-9a-fA-F:.]+")) {
      // only literals: a host name here would make the check depend on DNS
      throw new IllegalArgumentException("'" + text + "' is not an address range like 10.0.0.0/8 or fd00::/8");
    }
    try {
      byte[] bytes = InetAddress.getByName(address).getAddress();
      int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException("'" + text + "': prefix length must be 0 to " + bytes.length * 8);
      }
      return new Cidr(bytes, prefix, trimmed);
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not an address range like 10.0.0.0/8 or fd00::/8");
    }
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (bytes[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (bytes[full] & mask) == (network[full] & mask);
  }

  @Override
  public String toString() {
    return text;
  }
}
