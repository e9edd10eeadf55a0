package io.trustsync.findings;

import java.util.Comparator;
import java.util.Objects;

/**
 * One validation result: a stable rule id, its severity, the repository-relative file it applies
 * to, the JSON pointer inside that file ("" for the whole file) and the 1-based line and column
 * (0 when the place is not a position in a text file), and a message saying how to fix it.
 */
public record Finding(
    String ruleId, Severity severity, String file, String pointer, int line, int column, String message) {

  public static final Comparator<Finding> ORDER =
      Comparator.comparing(Finding::file)
          .thenComparingInt(Finding::line)
          .thenComparingInt(Finding::column)
          .thenComparing(Finding::ruleId)
          .thenComparing(Finding::pointer)
          .thenComparing(Finding::message);

  public Finding {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(severity, "severity");
    file = file == null ? "" : file;
    pointer = pointer == null ? "" : pointer;
    Objects.requireNonNull(message, "message");
  }

  public static Finding error(String ruleId, String file, String message) {
    return new Finding(ruleId, Severity.ERROR, file, "", 0, 0, message);
  }

  public static Finding warning(String ruleId, String file, String message) {
    return new Finding(ruleId, Severity.WARNING, file, "", 0, 0, message);
  }

  /** The same finding at another severity, its message saying who changed it (e.g. ".trustsync.yaml"). */
  public Finding withSeverity(Severity changed, String by) {
    return new Finding(ruleId, changed, file, pointer, line, column,
        message + " [" + changed.name().toLowerCase(java.util.Locale.ROOT) + " by " + by + "]");
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** "file:line:col" as editors and CI annotations expect it. */
  public String place() {
    if (line <= 0) {
      return file;
    }
    return file + ":" + line + ":" + column;
  }
}
