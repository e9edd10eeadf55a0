package io.trustsync.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.JDKHttpConnection;

/**
 * HTTP connections that trust only the source's own CA certificates. Set on one transport
 * ({@code TransportHttp#setHttpConnectionFactory}), so other sources and the rest of the JVM keep
 * their trust; JGit's global {@code HttpTransport.setConnectionFactory} is never touched.
 */
final class PrivateCaConnections implements HttpConnectionFactory {

  private final TrustManager[] trustManagers;

  private PrivateCaConnections(TrustManager[] trustManagers) {
    this.trustManagers = trustManagers;
  }

  static PrivateCaConnections fromPem(String caPem) throws SourceException {
    try {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)));
      if (certificates.isEmpty()) {
        throw new SourceException("caPem holds no certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return new PrivateCaConnections(factory.getTrustManagers());
    } catch (GeneralSecurityException | IOException e) {
      throw new SourceException("caPem cannot be read as PEM certificates: " + e.getMessage(), e);
    }
  }

  @Override
  public HttpConnection create(URL url) throws IOException {
    return create(url, null);
  }

  @Override
  public HttpConnection create(URL url, Proxy proxy) throws IOException {
    JDKHttpConnection connection = proxy == null ? new JDKHttpConnection(url) {} : new JDKHttpConnection(url, proxy) {};
    if ("https".equals(url.getProtocol())) {
      try {
        connection.configure(null, trustManagers, null);
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot set up TLS with the source's CA certificates", e);
      }
    }
    return connection;
  }
}
