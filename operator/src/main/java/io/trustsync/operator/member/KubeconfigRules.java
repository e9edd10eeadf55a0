package io.trustsync.operator.member;

/**
 * Which kubeconfig capabilities that reach into the operator process the administrator allowed,
 * one flag each; all off by default (see {@link MemberKubeconfig}).
 */
public record KubeconfigRules(boolean exec, boolean authProvider, boolean files, boolean insecureTls, boolean proxy, boolean plainHttp) {
  public static final KubeconfigRules DEFAULT = new KubeconfigRules(false, false, false, false, false, false);
}
