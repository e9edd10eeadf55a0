package io.trustsync.operator.member;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.trustsync.operator.member.MemberConnections.MemberConfigurationException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A member's kubeconfig, read the safe way. Whoever can write the Secret writes this file, so it
 * must not be able to make the operator do anything but talk TLS to one API server with inline
 * credentials. Only {@code server}, {@code certificate-authority-data}, {@code tls-server-name},
 * {@code client-certificate-data}/{@code client-key-data}, {@code token}, {@code username}/
 * {@code password} and impersonation are used. Everything that reaches into the operator is
 * refused unless its own flag allows it (Flux's {@code --insecure-kubeconfig-exec} is the model):
 * <ul>
 *   <li>{@code exec} runs a command in the operator, and {@code auth-provider} sends tokens
 *       through plugins: {@code --insecure-kubeconfig-exec}, {@code --insecure-kubeconfig-auth-provider};
 *   <li>file paths ({@code certificate-authority}, {@code client-certificate}, {@code client-key},
 *       {@code tokenFile}) read the operator's files, its own token among them, and their
 *       errors are an oracle for which files exist: {@code --insecure-kubeconfig-files};
 *   <li>{@code insecure-skip-tls-verify}: {@code --insecure-kubeconfig-tls};
 *   <li>{@code proxy-url}: {@code --insecure-kubeconfig-proxy};
 *   <li>a plain {@code http://} server, which sends the credentials in clear: {@code --insecure-kubeconfig-http}.
 * </ul>
 * Error messages name the field by its place ({@code users[0].user.exec}) and never quote a value.
 */
final class MemberKubeconfig {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final int MAX_BYTES = 1024 * 1024;

  private MemberKubeconfig() {}

  /**
   * The client configuration for {@code context} (null: the current context) of the kubeconfig
   * text. {@code where} names the Secret and key for messages.
   */
  static Config parse(String text, String context, KubeconfigRules rules, String where) throws MemberConfigurationException {
    if (text.length() > MAX_BYTES) {
      throw new MemberConfigurationException(where + " is over 1 MiB; a kubeconfig for one cluster is a few KiB");
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new MemberConfigurationException(where + " is not a valid kubeconfig: YAML syntax error"
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
          + "; check the indentation and quoting (kubectl config view --kubeconfig FILE shows the same file)");
    }
    if (root == null || !root.isObject()) {
      throw new MemberConfigurationException(where + " is not a valid kubeconfig: expected a YAML mapping with clusters, users and contexts");
    }
    String contextName = context != null && !context.isBlank() ? context : text(root.path("current-context"));
    if (contextName == null) {
      throw new MemberConfigurationException(where + " has no current-context; set one or name the context in spec.kubeconfigSecretRef.context");
    }
    int contextIndex = indexOf(root.path("contexts"), contextName);
    if (contextIndex < 0) {
      throw new MemberConfigurationException(where + " has no context named in "
          + (context != null && !context.isBlank() ? "spec.kubeconfigSecretRef.context" : "current-context"));
    }
    JsonNode contextEntry = root.path("contexts").get(contextIndex).path("context");
    String clusterName = text(contextEntry.path("cluster"));
    String userName = text(contextEntry.path("user"));
    int clusterIndex = clusterName == null ? -1 : indexOf(root.path("clusters"), clusterName);
    if (clusterIndex < 0) {
      throw new MemberConfigurationException(where + ": contexts[" + contextIndex + "].context.cluster names no entry of clusters");
    }
    JsonNode cluster = root.path("clusters").get(clusterIndex).path("cluster");
    int userIndex = userName == null ? -1 : indexOf(root.path("users"), userName);
    JsonNode user = userIndex < 0 ? YAML.createObjectNode() : root.path("users").get(userIndex).path("user");
    String clusterPath = "clusters[" + clusterIndex + "].cluster.";
    String userPath = "users[" + userIndex + "].user.";

    List<String> refused = new ArrayList<>();
    boolean fallback = false;
    fallback |= refuse(refused, user, "exec", userPath, rules.exec(), "--insecure-kubeconfig-exec",
        "runs a command inside the operator");
    fallback |= refuse(refused, user, "auth-provider", userPath, rules.authProvider(), "--insecure-kubeconfig-auth-provider",
        "hands credentials to a client plugin");
    for (String field : List.of("client-certificate", "client-key", "tokenFile")) {
      fallback |= refuse(refused, user, field, userPath, rules.files(), "--insecure-kubeconfig-files",
          "reads a file of the operator's");
    }
    fallback |= refuse(refused, cluster, "certificate-authority", clusterPath, rules.files(), "--insecure-kubeconfig-files",
        "reads a file of the operator's");
    if (cluster.path("insecure-skip-tls-verify").asBoolean(false) && !rules.insecureTls()) {
      refused.add(clusterPath + "insecure-skip-tls-verify turns off the server's certificate check;"
          + " set certificate-authority-data instead (or run the operator with --insecure-kubeconfig-tls)");
    }
    if (text(cluster.path("proxy-url")) != null && !rules.proxy()) {
      refused.add(clusterPath + "proxy-url sends the connection through another host;"
          + " it is refused unless the operator runs with --insecure-kubeconfig-proxy");
    }
    String server = text(cluster.path("server"));
    if (server == null) {
      throw new MemberConfigurationException(where + ": " + clusterPath + "server is not set; it must be the API server's https:// URL");
    }
    String scheme = server.contains("://") ? server.substring(0, server.indexOf("://")).toLowerCase(Locale.ROOT) : "";
    if (!scheme.equals("https") && !(scheme.equals("http") && rules.plainHttp())) {
      refused.add(clusterPath + "server must be an https:// URL" + (scheme.equals("http")
          ? "; plain http:// sends the credentials in clear and is refused unless the operator runs with --insecure-kubeconfig-http" : ""));
    }
    if (!refused.isEmpty()) {
      throw new MemberConfigurationException(where + " is refused: " + String.join("; ", refused)
          + ". See docs/security.md, member credentials");
    }
    if (fallback) {
      // an administrator opted in to a capability only the full kubeconfig loader has
      try {
        return Config.fromKubeconfig(contextName, text, null);
      } catch (RuntimeException e) {
        throw new MemberConfigurationException(where + " could not be loaded by the kubeconfig loader (" + e.getClass().getSimpleName() + ")");
      }
    }
    ConfigBuilder config = new ConfigBuilder(Config.empty())
        .withMasterUrl(server)
        .withAutoConfigure(false);
    String caData = text(cluster.path("certificate-authority-data"));
    if (caData != null) {
      config.withCaCertData(requireBase64(caData, where, clusterPath + "certificate-authority-data"));
    }
    if (cluster.path("insecure-skip-tls-verify").asBoolean(false)) {
      config.withTrustCerts(true).withDisableHostnameVerification(true);
    }
    if (text(cluster.path("proxy-url")) != null) {
      config.withHttpsProxy(text(cluster.path("proxy-url"))).withHttpProxy(text(cluster.path("proxy-url")));
    }
    String certificate = text(user.path("client-certificate-data"));
    String key = text(user.path("client-key-data"));
    if ((certificate == null) != (key == null)) {
      throw new MemberConfigurationException(where + ": " + userPath + "client-certificate-data and client-key-data go together; one is missing");
    }
    if (certificate != null) {
      config.withClientCertData(requireBase64(certificate, where, userPath + "client-certificate-data"))
          .withClientKeyData(requireBase64(key, where, userPath + "client-key-data"));
    }
    String token = text(user.path("token"));
    if (token != null) {
      config.withOauthToken(token.trim());
    }
    if (text(user.path("username")) != null) {
      config.withUsername(text(user.path("username"))).withPassword(text(user.path("password")));
    }
    if (text(user.path("as")) != null) {
      config.withImpersonateUsername(text(user.path("as")));
    }
    if (user.path("as-groups").isArray()) {
      List<String> groups = new ArrayList<>();
      user.path("as-groups").forEach(g -> groups.add(g.asText()));
      config.withImpersonateGroups(groups.toArray(String[]::new));
    }
    return config.build();
  }

  /** Records a refusal unless allowed; true when the field is present and allowed (needs the full loader). */
  private static boolean refuse(List<String> refused, JsonNode entry, String field, String path, boolean allowed, String flag, String why) {
    if (!entry.has(field) || entry.get(field).isNull()) {
      return false;
    }
    if (allowed) {
      return true;
    }
    refused.add(path + field + " " + why + "; it is refused unless the operator runs with " + flag);
    return false;
  }

  private static String requireBase64(String value, String where, String path) throws MemberConfigurationException {
    try {
      Base64.getDecoder().decode(value.replaceAll("\\s", ""));
      return value.replaceAll("\\s", "");
    } catch (IllegalArgumentException e) {
      throw new MemberConfigurationException(where + ": " + path + " is not base64 (it must hold the PEM, base64-encoded)");
    }
  }

  private static int indexOf(JsonNode entries, String name) {
    if (!entries.isArray()) {
      return -1;
    }
    for (int i = 0; i < entries.size(); i++) {
      if (name.equals(text(entries.get(i).path("name")))) {
        return i;
      }
    }
    return -1;
  }

  private static String text(JsonNode node) {
    return node == null || node.isMissingNode() || node.isNull() || node.asText().isEmpty() ? null : node.asText();
  }
}
