package io.trustsync.json;

/** RFC 6901 JSON pointer building. */
public final class JsonPointers {
  private JsonPointers() {}

  public static String child(String parent, String key) {
    return parent + "/" + key.replace("~", "~0").replace("/", "~1");
  }

  public static String child(String parent, int index) {
    return parent + "/" + index;
  }

  /** The pointer one level up, "" for the root. */
  public static String parent(String pointer) {
    int slash = pointer.lastIndexOf('/');
    return slash <= 0 ? "" : pointer.substring(0, slash);
  }
}
