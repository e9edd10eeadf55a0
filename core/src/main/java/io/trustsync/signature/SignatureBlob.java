package io.trustsync.signature;

import java.util.Arrays;
import java.util.Objects;

/**
 * One signature as a registry serves it: the media type of the signature manifest's layer
 * ({@code application/jose+json} or {@code application/cose}) and the layer's bytes.
 */
public record SignatureBlob(String mediaType, byte[] envelope) {
  public SignatureBlob {
    Objects.requireNonNull(mediaType, "mediaType");
    envelope = envelope.clone();
  }

  @Override
  public byte[] envelope() {
    return envelope.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SignatureBlob blob && blob.mediaType.equals(mediaType) && Arrays.equals(blob.envelope, envelope);
  }

  @Override
  public int hashCode() {
    return 31 * mediaType.hashCode() + Arrays.hashCode(envelope);
  }

  @Override
  public String toString() {
    return "SignatureBlob[" + mediaType + ", " + envelope.length + " bytes]";
  }
}
