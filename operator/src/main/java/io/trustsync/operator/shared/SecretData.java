package io.trustsync.operator.shared;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/** A Secret's values as text: base64 {@code data} decoded, {@code stringData} (not yet merged by the server) on top. */
public final class SecretData {
  private SecretData() {}

  public static Map<String, String> of(Secret secret) {
    Map<String, String> values = new TreeMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      values.putAll(secret.getStringData());
    }
    return values;
  }
}
