package io.trustsync.signature;

import java.util.Optional;

/** The two envelope formats notation signs with, by the media type of the signature blob in the registry. */
public enum SignatureFormat {
  JWS("application/jose+json", "jws"),
  COSE("application/cose", "cose");

  private final String mediaType;
  private final String spelling;

  SignatureFormat(String mediaType, String spelling) {
    this.mediaType = mediaType;
    this.spelling = spelling;
  }

  public String mediaType() {
    return mediaType;
  }

  /** As {@code notation sign --signature-format} spells it. */
  public String spelling() {
    return spelling;
  }

  /** Exact match, as notation-core-go's envelope registry looks the media type up. */
  public static Optional<SignatureFormat> ofMediaType(String mediaType) {
    for (SignatureFormat format : values()) {
      if (format.mediaType.equals(mediaType)) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }
}
