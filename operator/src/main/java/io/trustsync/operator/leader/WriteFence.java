package io.trustsync.operator.leader;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.Locale;

/**
 * Checks the {@link Fence} before every request that changes something (anything but GET and
 * HEAD) on a member cluster's client, so no code path can write without holding the lease: a
 * replica resumed after a pause, with watch events from the new leader's changes queued up,
 * cannot put the old revision back.
 */
public final class WriteFence implements Interceptor {
  public static final String NAME = "trustsync-fence";
  private final Fence fence;

  public WriteFence(Fence fence) {
    this.fence = fence;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String method = request.method().toUpperCase(Locale.ROOT);
    if (!method.equals("GET") && !method.equals("HEAD")) {
      fence.check();
    }
  }
}
