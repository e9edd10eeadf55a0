package io.trustsync.signature;

/**
 * A signature envelope notation would refuse before or while checking its integrity: not JSON or
 * CBOR of the Notary Project shape, a header missing or of the wrong type, a certificate that does
 * not parse, too large. The message says what is wrong and where; it never carries a stack trace
 * worth showing a user.
 */
public final class EnvelopeException extends Exception {
  public EnvelopeException(String message) {
    super(message);
  }
}
