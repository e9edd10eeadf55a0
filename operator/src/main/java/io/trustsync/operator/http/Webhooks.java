package io.trustsync.operator.http;

import java.util.Optional;

/** What the webhook endpoint needs to authenticate a request, answered from memory. */
public interface Webhooks {
  /** The shared secret of the source's webhook, when it has a usable one. */
  Optional<byte[]> token(String namespace, String name);

  /** A signature did not match a source that has a webhook (its secret may have been rotated). */
  void signatureFailed(String namespace, String name);
}
