package io.trustsync.source;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.JDKHttpConnection;

/**
 * Every HTTP connection of one fetch. Set on that fetch's transport only, so sources never see
 * each other's settings. It
 * <ul>
 *   <li>trusts only the source's own CA certificates when it has some;
 *   <li>never sends an Authorization header to a host other than the one in the URL, so a redirect
 *       to another host gets no credentials; refuses a redirect from https:// to http://;
 *   <li>checks every host it connects to, redirects included, against the address rules;
 *   <li>counts what the server sends against the fetch's byte budget and deadline.
 * </ul>
 */
final class GuardedHttpConnections implements HttpConnectionFactory {

  private final URL origin;
  private final TrustManager[] trustManagers;
  private final SourceRules rules;
  private final FetchBudget budget;

  GuardedHttpConnections(URL origin, String caPem, SourceRules rules, FetchBudget budget) throws SourceException {
    this.origin = origin;
    this.trustManagers = caPem == null ? null : trustManagers(caPem);
    this.rules = rules;
    this.budget = budget;
  }

  private static TrustManager[] trustManagers(String caPem) throws SourceException {
    try {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)));
      if (certificates.isEmpty()) {
        throw new SourceException("ca.crt in the credentials Secret holds no certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      // never quote the parser's message: it may echo the Secret's content
      throw new SourceException("ca.crt in the credentials Secret is not a PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
  }

  @Override
  public HttpConnection create(URL url) throws IOException {
    return create(url, null);
  }

  @Override
  public HttpConnection create(URL url, Proxy proxy) throws IOException {
    boolean sameOrigin = url.getHost().equalsIgnoreCase(origin.getHost()) && port(url) == port(origin)
        && url.getProtocol().equals(origin.getProtocol());
    if (origin.getProtocol().equals("https") && !url.getProtocol().equals("https")) {
      throw new IOException("refused a redirect from https:// to " + url.getProtocol() + "://");
    }
    if (url.getProtocol().equals("http") && !rules.allowPlainHttp()) {
      throw new IOException("refused a redirect to plain http://");
    }
    try {
      rules.addresses().check(url.getHost().toLowerCase(Locale.ROOT));
    } catch (SourceException e) {
      throw new IOException(e.getMessage());
    }
    if (budget.expired()) {
      throw new java.io.InterruptedIOException("fetch time limit reached");
    }
    JDKHttpConnection connection = proxy == null ? new JDKHttpConnection(url) {} : new JDKHttpConnection(url, proxy) {};
    if (trustManagers != null && url.getProtocol().equals("https")) {
      try {
        connection.configure(null, trustManagers, null);
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot set up TLS with the source's CA certificates", e);
      }
    }
    return new Guarded(connection, sameOrigin, budget);
  }

  private static int port(URL url) {
    return url.getPort() >= 0 ? url.getPort() : url.getDefaultPort();
  }

  /** Delegates everything, but credentials to a foreign host and reads past the budget. */
  private static final class Guarded implements HttpConnection {
    private final HttpConnection delegate;
    private final boolean sameOrigin;
    private final FetchBudget budget;

    Guarded(HttpConnection delegate, boolean sameOrigin, FetchBudget budget) {
      this.delegate = delegate;
      this.sameOrigin = sameOrigin;
      this.budget = budget;
    }

    @Override
    public void setRequestProperty(String key, String value) {
      if (!sameOrigin && (key.equalsIgnoreCase("Authorization") || key.equalsIgnoreCase("Cookie"))) {
        return; // credentials are for the host the PolicySource names, never for where it redirects
      }
      if (key.equalsIgnoreCase("Accept-Encoding")) {
        // uncompressed, so the byte budget counts what is written, not a gzip stream of anything
        delegate.setRequestProperty(key, "identity");
        return;
      }
      delegate.setRequestProperty(key, value);
    }

    @Override
    public InputStream getInputStream() throws IOException {
      InputStream in = delegate.getInputStream();
      return new FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          budget.received(b < 0 ? 0 : 1);
          return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
          int n = super.read(buffer, offset, length);
          budget.received(Math.max(n, 0));
          return n;
        }
      };
    }

    @Override public int getResponseCode() throws IOException { return delegate.getResponseCode(); }
    @Override public URL getURL() { return delegate.getURL(); }
    @Override public String getResponseMessage() throws IOException { return delegate.getResponseMessage(); }
    @Override
    public Map<String, List<String>> getHeaderFields() {
      Map<String, List<String>> fields = new java.util.LinkedHashMap<>(delegate.getHeaderFields());
      fields.keySet().removeIf(k -> k != null && k.equalsIgnoreCase("Content-Encoding"));
      return fields;
    }
    @Override public void setRequestMethod(String method) throws ProtocolException { delegate.setRequestMethod(method); }
    @Override public void setUseCaches(boolean useCaches) { delegate.setUseCaches(useCaches); }
    @Override public void setConnectTimeout(int timeout) { delegate.setConnectTimeout(timeout); }
    @Override public void setReadTimeout(int timeout) { delegate.setReadTimeout(timeout); }
    @Override public String getContentType() { return delegate.getContentType(); }
    // A server that compresses although asked not to gets its bytes read as they are (and
    // refused as no pack): nothing is inflated past the byte budget.
    @Override
    public String getHeaderField(String name) {
      return name.equalsIgnoreCase("Content-Encoding") ? null : delegate.getHeaderField(name);
    }

    @Override
    public List<String> getHeaderFields(String name) {
      return name.equalsIgnoreCase("Content-Encoding") ? List.of() : delegate.getHeaderFields(name);
    }
    @Override public int getContentLength() { return delegate.getContentLength(); }
    @Override public void setInstanceFollowRedirects(boolean followRedirects) { delegate.setInstanceFollowRedirects(followRedirects); }
    @Override public void setDoOutput(boolean doOutput) { delegate.setDoOutput(doOutput); }
    @Override public void setFixedLengthStreamingMode(int contentLength) { delegate.setFixedLengthStreamingMode(contentLength); }
    @Override public OutputStream getOutputStream() throws IOException { return delegate.getOutputStream(); }
    @Override public void setChunkedStreamingMode(int chunklen) { delegate.setChunkedStreamingMode(chunklen); }
    @Override public String getRequestMethod() { return delegate.getRequestMethod(); }
    @Override public boolean usingProxy() { return delegate.usingProxy(); }

    @Override
    public void connect() throws IOException {
      if (budget.expired()) {
        throw new java.io.InterruptedIOException("fetch time limit reached");
      }
      delegate.connect();
    }

    // JGit calls these only to weaken TLS (http.sslVerify=false, "trust this certificate?"):
    // TLS settings come from the factory alone.
    @Override
    public void setHostnameVerifier(HostnameVerifier verifier) {}

    @Override
    public void configure(KeyManager[] km, TrustManager[] tm, SecureRandom random) {}
  }
}
