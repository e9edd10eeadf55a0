package io.trustsync.operator.member;

import io.fabric8.kubernetes.client.Config;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Whom a member's API server certificate must chain to: the certificate authorities its
 * kubeconfig names, and nothing else. fabric8 adds the JVM's public root CAs to those; kubectl
 * does not, and neither does TrustSync, so a kubeconfig that pins a private CA cannot be
 * answered by any server holding a publicly issued certificate for the name. (It also spares
 * each member's client its own parsed copy of the JVM's ~150 roots.) A kubeconfig without CA
 * data keeps the JVM's roots, as kubectl does.
 */
final class MemberTls {
  private MemberTls() {}

  /** Trust managers for exactly the kubeconfig's CA certificates; null when it names none. */
  static TrustManager[] onlyTheClusterCa(Config config) throws MemberConnections.MemberConfigurationException {
    String data = config.getCaCertData();
    if (data == null || data.isBlank()) {
      return null;
    }
    try {
      byte[] pem = Base64.getMimeDecoder().decode(data.trim());
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      if (i == 0) {
        throw new MemberConnections.MemberConfigurationException("certificate-authority-data holds no certificate");
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | java.io.IOException | IllegalArgumentException e) {
      throw new MemberConnections.MemberConfigurationException("certificate-authority-data is not a PEM certificate: "
          + e.getClass().getSimpleName());
    }
  }
}
