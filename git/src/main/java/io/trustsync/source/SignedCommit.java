package io.trustsync.source;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A raw commit split the way git splits it before verifying ({@code parse_buffer_signed_by_header}
 * in git's commit.c): the {@code gpgsig} header with its continuation lines is the signature, and
 * everything else is the signed payload. Other {@code gpgsig*} headers (the SHA-256 repository
 * signature) are left out of the payload too, as git does. {@code signature} is null when unsigned.
 */
record SignedCommit(byte[] payload, String signature) {

  private static final byte[] HEADER = "gpgsig".getBytes(StandardCharsets.US_ASCII);

  static SignedCommit parse(byte[] raw) {
    ByteArrayOutputStream payload = new ByteArrayOutputStream(raw.length);
    ByteArrayOutputStream signature = new ByteArrayOutputStream();
    boolean inSignature = false;
    boolean inOtherSignature = false;
    boolean sawSignature = false;
    int line = 0;
    while (line < raw.length) {
      int next = indexOf(raw, (byte) '\n', line);
      next = next < 0 ? raw.length : next + 1;
      int sigStart = -1;
      if (inSignature && raw[line] == ' ') {
        sigStart = line + 1;
      } else if (startsWith(raw, line, HEADER) && line + HEADER.length < raw.length && raw[line + HEADER.length] == ' ') {
        sigStart = line + HEADER.length + 1;
        inOtherSignature = false;
      } else if (startsWith(raw, line, HEADER)) {
        inOtherSignature = true;
      } else if (inOtherSignature && raw[line] != ' ') {
        inOtherSignature = false;
      }
      if (sigStart >= 0) {
        signature.write(raw, sigStart, next - sigStart);
        sawSignature = true;
        inSignature = true;
      } else {
        if (raw[line] == '\n') {
          next = raw.length; // the message: copy it whole, headers are over
        }
        if (!inOtherSignature) {
          payload.write(raw, line, next - line);
        }
        inSignature = false;
      }
      line = next;
    }
    return new SignedCommit(payload.toByteArray(),
        sawSignature ? signature.toString(StandardCharsets.UTF_8) : null);
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) return i;
    }
    return -1;
  }

  private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
    if (at + prefix.length > bytes.length) return false;
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[at + i] != prefix[i]) return false;
    }
    return true;
  }
}
