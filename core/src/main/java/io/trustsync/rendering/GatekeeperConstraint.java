package io.trustsync.rendering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ratify v1's enforcement switch on Gatekeeper: a Constraint of the kind Ratify's ConstraintTemplate
 * defines ({@code RatifyVerification}, library/default/template.yaml), checking Pods, whose
 * {@code spec.enforcementAction} is warn, deny or dryrun and whose {@code spec.match} picks the
 * namespaces. Gatekeeper's audit writes its findings into the Constraint's status; {@link #audit}
 * reads them back in Gatekeeper's shape.
 */
public final class GatekeeperConstraint {
  /** Constraints are cluster-scoped; v1beta1 is the version Gatekeeper's own samples and Ratify's use. */
  public static final RenderedKind KIND = RenderedKind.RATIFY_VERIFICATION;
  public static final List<String> ACTIONS = List.of("warn", "deny", "dryrun");
  /**
   * Ratify v1's template (library/default/template.yaml) reports an image that did not verify as
   * "Time=..., failed to verify the artifact: <image>, trace-id: ..."; older templates said
   * "Subject failed verification: <image>".
   */
  private static final Pattern SUBJECT = Pattern.compile("(?:failed to verify the artifact|Subject failed verification): *([^\\s,]+)");
  private static final int MAX_NAME = 63;

  private GatekeeperConstraint() {}

  /**
   * {@code trustsync-<distribution>-<scope>-<hash>}: Constraints are cluster-scoped, so the name
   * carries a hash of the hub namespace, the distribution and the scope, and two distributions
   * (of one namespace or of two, on one member) never name the same Constraint. At most 63
   * characters: a long distribution name is cut before the hash.
   */
  public static String name(String hubNamespace, String distribution, String scope) {
    String hash = Ownership.sha256(hubNamespace + "/" + distribution + "/" + scope).substring(0, 8);
    String name = "trustsync-" + distribution + "-" + scope;
    if (name.length() > MAX_NAME - hash.length() - 1) {
      name = name.substring(0, MAX_NAME - hash.length() - 1).replaceAll("[^a-z0-9]+$", "");
    }
    return name + "-" + hash;
  }

  /**
   * The Constraint, labelled like every rendered object ({@code labels} carries the distribution's
   * ownership label) and stamped with its content hash.
   */
  public static RenderedObject render(String name, String action, JsonNode namespaceSelector, List<String> excludedNamespaces,
      Map<String, String> labels) {
    if (!ACTIONS.contains(action)) {
      throw new IllegalArgumentException("enforcementAction '" + action + "' is not one of " + ACTIONS);
    }
    ObjectNode object = ManifestWriter.json().createObjectNode();
    object.put("apiVersion", KIND.apiVersion());
    object.put("kind", KIND.kind());
    ObjectNode metadata = object.putObject("metadata");
    metadata.put("name", name);
    ObjectNode labelNode = metadata.putObject("labels");
    Map<String, String> sorted = new TreeMap<>(labels);
    sorted.put(Ownership.MANAGED_BY, Ownership.MANAGER);
    sorted.forEach(labelNode::put);
    ObjectNode spec = object.putObject("spec");
    spec.put("enforcementAction", action);
    ObjectNode match = spec.putObject("match");
    ObjectNode pods = match.putArray("kinds").addObject();
    pods.putArray("apiGroups").add("");
    pods.putArray("kinds").add("Pod");
    if (namespaceSelector != null && !namespaceSelector.isNull() && !namespaceSelector.isEmpty()) {
      match.set("namespaceSelector", namespaceSelector.deepCopy());
    }
    if (excludedNamespaces != null && !excludedNamespaces.isEmpty()) {
      ArrayNode excluded = match.putArray("excludedNamespaces");
      excludedNamespaces.forEach(excluded::add);
    }
    Ownership.stamp(object, null, null);
    return new RenderedObject(KIND.apiVersion(), KIND.kind(), null, name, object);
  }

  /** One entry of Gatekeeper's status.violations, with the image Ratify named (null when the message names none). */
  public record Violation(String namespace, String kind, String name, String message, String image) {}

  /**
   * What Gatekeeper's audit last said, from the Constraint's status: {@code auditTimestamp},
   * {@code totalViolations} and {@code violations} (which Gatekeeper truncates to its
   * --constraint-violations-limit, 20 by default; the total is exact).
   */
  public record Audit(String auditTimestamp, Long totalViolations, List<Violation> violations) {
    public static final Audit NONE = new Audit(null, null, List.of());

    /** Audited, and nothing found. */
    public boolean clean() {
      return auditTimestamp != null && totalViolations != null && totalViolations == 0;
    }
  }

  public static Audit audit(JsonNode status) {
    if (status == null || !status.isObject() || !status.path("auditTimestamp").isTextual()) {
      return Audit.NONE;
    }
    Long total = status.path("totalViolations").canConvertToLong() ? status.path("totalViolations").asLong() : null;
    List<Violation> violations = new ArrayList<>();
    for (JsonNode v : status.path("violations")) {
      String message = v.path("message").isTextual() ? v.path("message").asText() : null;
      violations.add(new Violation(text(v, "namespace"), text(v, "kind"), text(v, "name"), message, image(message)));
    }
    return new Audit(status.get("auditTimestamp").asText(), total, List.copyOf(violations));
  }

  static String image(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = SUBJECT.matcher(message);
    return m.find() ? m.group(1) : null;
  }

  private static String text(JsonNode node, String field) {
    return node.path(field).isTextual() ? node.get(field).asText() : null;
  }
}
