package io.trustsync.operator;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

/**
 * The HTTP client of every Kubernetes client that does not name one: the JDK's. Two
 * implementations are on the class path (member clusters use Vert.x, see
 * {@link io.trustsync.operator.member.MemberHttpClients}); fabric8 would pick between equal
 * priorities at random, so this one outranks both.
 */
public final class DefaultHttpClientFactory extends JdkHttpClientFactory {
  @Override
  public int priority() {
    return 10;
  }
}
