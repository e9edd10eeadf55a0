package io.trustsync.signature;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CBOR as go-cose v1.3 decodes a COSE_Sign1 message (its cbor.go decoding modes): definite lengths
 * only, no duplicate map keys, integers within int64, map keys of header maps ints or text; tags
 * allowed only where the caller says. Jackson's CBOR parser reads the items; the raw bytes at each
 * item's offset tell what it does not report (the tags in order, an indefinite length, whether a map
 * key was an int or a text).
 *
 * <p>Items decode to {@link Long}, {@link BigInteger} (only beyond int64, then refused), byte[],
 * {@link String}, {@link List}, {@link Map} (keys {@link Long} or {@link String}, in order),
 * {@link Tagged}, {@link Double}, {@link Boolean}, {@link #NULL} and {@link #UNDEFINED}.
 */
final class Cbor {
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };
  static final Object UNDEFINED = new Object() {
    @Override
    public String toString() {
      return "undefined";
    }
  };
  private static final int MAX_DEPTH = 32;
  private static final CBORFactory FACTORY = CBORFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  /** A tagged item: tag number and content. */
  record Tagged(long tag, Object content) {}

  private final byte[] data;
  private final boolean tagsAllowed;
  private final String where;
  private CBORParser parser;

  private Cbor(byte[] data, boolean tagsAllowed, String where) {
    this.data = data;
    this.tagsAllowed = tagsAllowed;
    this.where = where;
  }

  /**
   * The single item {@code data} holds (nothing may follow it). {@code where} names it in messages
   * ("the COSE_Sign1 message", "the protected header").
   */
  static Object decode(byte[] data, boolean tagsAllowed, String where) throws EnvelopeException {
    return new Cbor(data, tagsAllowed, where).decodeAll();
  }

  private Object decodeAll() throws EnvelopeException {
    try (CBORParser p = (CBORParser) FACTORY.createParser(data)) {
      parser = p;
      JsonToken token = p.nextToken();
      if (token == null) {
        throw new EnvelopeException(where + " is empty");
      }
      Object item = item(token);
      if (p.nextToken() != null || p.currentLocation().getByteOffset() < data.length) {
        throw new EnvelopeException(where + " has extra data after its CBOR item; a COSE envelope is exactly one item");
      }
      return item;
    } catch (IOException | RuntimeException e) {
      throw new EnvelopeException(where + " is not well-formed CBOR (" + firstLine(e.getMessage()) + ")");
    }
  }

  private Object item(JsonToken token) throws IOException, EnvelopeException {
    int offset = (int) parser.currentTokenLocation().getByteOffset();
    List<Long> tags = new ArrayList<>();
    int at = offset;
    while (at < data.length && (data[at] & 0xff) >> 5 == 6) {
      long[] head = head(at);
      tags.add(head[0]);
      at += (int) head[1];
    }
    if (!tags.isEmpty() && !tagsAllowed) {
      throw new EnvelopeException(where + " has a CBOR tag (" + tags.getFirst() + ") where go-cose allows none");
    }
    if (at < data.length && (data[at] & 0x1f) == 31 && (data[at] & 0xff) >> 5 >= 2 && (data[at] & 0xff) >> 5 <= 5) {
      throw new EnvelopeException(where + " uses an indefinite-length CBOR item, which go-cose refuses; encode every length");
    }
    Object value = switch (token) {
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        JsonToken next;
        while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
          list.add(item(next));
        }
        yield list;
      }
      case START_OBJECT -> {
        Map<Object, Object> map = new LinkedHashMap<>();
        JsonToken next;
        while ((next = parser.nextToken()) != JsonToken.END_OBJECT) {
          if (next != JsonToken.FIELD_NAME) {
            throw new EnvelopeException(where + " has a map key that is neither an int nor a text");
          }
          int keyAt = (int) parser.currentTokenLocation().getByteOffset();
          int major = (data[keyAt] & 0xff) >> 5;
          Object key;
          if (major == 3) {
            if ((data[keyAt] & 0x1f) == 31) {
              throw new EnvelopeException(where + " uses an indefinite-length CBOR item, which go-cose refuses; encode every length");
            }
            key = parser.currentName();
          } else if (major == 0 || major == 1) {
            try {
              key = Long.parseLong(parser.currentName());
            } catch (NumberFormatException e) {
              throw new EnvelopeException(where + " has a map key beyond int64");
            }
          } else {
            throw new EnvelopeException(where + " has a map key that is neither an int nor a text (COSE labels are int / tstr)");
          }
          if (map.containsKey(key)) {
            throw new EnvelopeException(where + " has the map key " + describeKey(key) + " twice, which go-cose refuses");
          }
          map.put(key, item(parser.nextToken()));
        }
        yield map;
      }
      case VALUE_EMBEDDED_OBJECT -> {
        Object embedded = parser.getEmbeddedObject();
        if (embedded instanceof byte[] bytes) {
          yield bytes;
        }
        throw new EnvelopeException(where + " has an item of an unexpected kind (" + embedded + ")");
      }
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> {
        if (parser.getNumberType() == com.fasterxml.jackson.core.JsonParser.NumberType.BIG_INTEGER) {
          throw new EnvelopeException(where + " has an integer beyond int64, which go-cose refuses");
        }
        yield parser.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> parser.isUndefined() ? UNDEFINED : NULL;
      default -> throw new EnvelopeException(where + " has an unexpected CBOR item (" + token + ")");
    };
    // Jackson folds bignum tags (2, 3) into the number: the tag list from the bytes still has them.
    for (int i = tags.size() - 1; i >= 0; i--) {
      value = new Tagged(tags.get(i), value);
    }
    return value;
  }

  /** The argument of the CBOR head at {@code at} and the head's length in bytes. */
  private long[] head(int at) throws EnvelopeException {
    int ai = data[at] & 0x1f;
    if (ai < 24) {
      return new long[] {ai, 1};
    }
    int size = switch (ai) {
      case 24 -> 1;
      case 25 -> 2;
      case 26 -> 4;
      case 27 -> 8;
      default -> throw new EnvelopeException(where + " is not well-formed CBOR (reserved additional information " + ai + ")");
    };
    if (at + size >= data.length) {
      throw new EnvelopeException(where + " is not well-formed CBOR (truncated)");
    }
    long value = 0;
    for (int i = 1; i <= size; i++) {
      value = (value << 8) | (data[at + i] & 0xff);
    }
    return new long[] {value, 1 + size};
  }

  /** The minimal CBOR head of a byte string of {@code length} bytes, as deterministic encoding writes it. */
  static byte[] byteStringHead(int length) {
    if (length < 24) {
      return new byte[] {(byte) (0x40 | length)};
    }
    if (length < 0x100) {
      return new byte[] {0x58, (byte) length};
    }
    if (length < 0x10000) {
      return new byte[] {0x59, (byte) (length >>> 8), (byte) length};
    }
    return new byte[] {0x5a, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
  }

  static String describeKey(Object key) {
    return key instanceof String text ? "\"" + text + "\"" : String.valueOf(key);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
