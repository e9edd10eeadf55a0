package io.trustsync.trustpolicy;

import io.trustsync.json.JsonDocument;
import io.trustsync.json.Position;
import io.trustsync.findings.Finding;
import io.trustsync.findings.Severity;
import java.util.ArrayList;
import java.util.List;

/** Collects the findings of one validation run, placing each at its JSON pointer's line and column. */
final class Findings {
  private final JsonDocument json;
  private final List<Finding> found = new ArrayList<>();

  Findings(JsonDocument json) {
    this.json = json;
  }

  /** An error about the value at {@code pointer} (or, when absent, the object that should hold it). */
  void error(String rule, String pointer, String message) {
    add(rule, Severity.ERROR, pointer, json.positionOf(pointer), message);
  }

  /** An error about the key that names the value at {@code pointer}. */
  void keyError(String rule, String pointer, String message) {
    add(rule, Severity.ERROR, pointer, json.keyPositionOf(pointer), message);
  }

  void warning(String rule, String pointer, String message) {
    add(rule, Severity.WARNING, pointer, json.positionOf(pointer), message);
  }

  List<Finding> list() {
    return List.copyOf(found);
  }

  private void add(String rule, Severity severity, String pointer, Position at, String message) {
    found.add(new Finding(rule, severity, json.file(), pointer, at.line(), at.column(), message));
  }
}
