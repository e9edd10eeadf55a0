package io.trustsync.local;

/** Produces the armored text git stores in a commit's {@code gpgsig} header. */
public interface CommitSigner {

  /** Signs the commit exactly as serialised without its {@code gpgsig} header. */
  byte[] sign(byte[] commitPayload);
}
