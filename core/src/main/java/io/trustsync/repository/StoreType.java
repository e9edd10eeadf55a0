package io.trustsync.repository;

import java.util.Optional;

/** The three Notation trust store types, spelled as in trust store references ({@code ca:name}). */
public enum StoreType {
  CA("ca"),
  SIGNING_AUTHORITY("signingAuthority"),
  TSA("tsa");

  private final String spelling;

  StoreType(String spelling) {
    this.spelling = spelling;
  }

  public String spelling() {
    return spelling;
  }

  /** Case-sensitive, as notation-go compares it. */
  public static Optional<StoreType> of(String spelling) {
    for (StoreType type : values()) {
      if (type.spelling.equals(spelling)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
