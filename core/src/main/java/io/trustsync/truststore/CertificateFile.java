package io.trustsync.truststore;

import io.trustsync.repository.RepoFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The certificates of one trust store file, read the way notation-core-go
 * {@code x509.ReadCertificateFile} reads them: when the file holds a PEM block every PEM block
 * must be a certificate and any text around the blocks is ignored; otherwise the whole file must
 * be one or more concatenated DER certificates. {@code unreadable} says why notation would refuse
 * the file (and with it the whole store); {@code ignoredTail} describes a broken PEM block after
 * the last good one, which notation silently drops.
 */
public record CertificateFile(RepoFile source, List<X509Certificate> certificates, String unreadable, String ignoredTail) {

  private static final String BEGIN = "-----BEGIN ";

  public static CertificateFile read(RepoFile file) {
    byte[] content = file.content();
    if (content.length == 0) {
      return unreadable(file, "the file is empty");
    }
    // ISO-8859-1 maps every byte to one char, so binary DER cannot break the line reader.
    String text = new String(content, StandardCharsets.ISO_8859_1);
    if (!hasPemBeginLine(text)) {
      return readDer(file, content);
    }
    return readPem(file, text);
  }

  /** Go's pem.Decode only starts a block at "-----BEGIN " at the start of the data or of a line. */
  private static boolean hasPemBeginLine(String text) {
    return text.startsWith(BEGIN) || text.contains("\n" + BEGIN);
  }

  private static CertificateFile readPem(RepoFile file, String text) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (PemReader reader = new PemReader(new StringReader(text))) {
      PemObject block;
      while ((block = reader.readPemObject()) != null) {
        int number = certificates.size() + 1;
        if (block.getType().endsWith("PRIVATE KEY")) {
          return unreadable(file, "PEM block " + number + " is a " + block.getType()
              + ", not a certificate; remove it from the repository and replace the key, which is now exposed in Git history");
        }
        try {
          certificates.add(convert(new X509CertificateHolder(block.getContent())));
        } catch (IOException | CertificateException | RuntimeException e) {
          return unreadable(file, "PEM block " + number + " (" + block.getType() + ") is not an X.509 certificate");
        }
      }
    } catch (IOException | RuntimeException e) {
      // A BEGIN line without its END line, or a body that is not base64. notation-core-go stops at
      // the first block it cannot decode and keeps what it read before it.
      if (certificates.isEmpty()) {
        return unreadable(file, "its PEM block is incomplete or not base64 (" + e.getMessage() + ")");
      }
      return new CertificateFile(file, List.copyOf(certificates), null,
          "the text after certificate " + certificates.size() + " starts a PEM block that is incomplete or not base64 ("
              + e.getMessage() + ")");
    }
    return new CertificateFile(file, List.copyOf(certificates), null, null);
  }

  /** x509.ParseCertificates: concatenated DER certificates and nothing else. */
  private static CertificateFile readDer(RepoFile file, byte[] content) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (ASN1InputStream in = new ASN1InputStream(new ByteArrayInputStream(content), content.length)) {
      ASN1Primitive object;
      while ((object = in.readObject()) != null) {
        certificates.add(convert(new X509CertificateHolder(Certificate.getInstance(object))));
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      return unreadable(file, "it is neither PEM certificates (no -----BEGIN CERTIFICATE----- line) nor a DER certificate");
    }
    return new CertificateFile(file, List.copyOf(certificates), null, null);
  }

  private static X509Certificate convert(X509CertificateHolder holder) throws CertificateException {
    // The JDK's own X.509 factory, so no provider has to be registered globally.
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static CertificateFile unreadable(RepoFile file, String reason) {
    return new CertificateFile(file, List.of(), reason, null);
  }
}
