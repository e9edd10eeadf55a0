package io.trustsync.source;

/** A fetch failed; the message says what to change, so it can go straight into a status condition. */
public final class SourceException extends Exception {

  public SourceException(String message) {
    super(message);
  }

  public SourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
