package io.trustsync.registry;

/** A registry answered with an error, too much, or not at all; the message names the registry, the request and what to do. */
public final class RegistryException extends Exception {
  private final int status;

  public RegistryException(String message) {
    this(message, 0);
  }

  public RegistryException(String message, int status) {
    super(message);
    this.status = status;
  }

  /** The HTTP status, or 0 when the registry did not answer with one. */
  public int status() {
    return status;
  }
}
