package io.trustsync.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on loopback that misbehaves the way an attacker's Git server would, at the socket
 * level (for the tests and {@code bench operator --hostile-sources}): it answers every connection with a fixed HTTP response (to see whether its bytes leak
 * into status), or trickles a byte at a time forever (to see whether a fetch ends on time).
 * Counts connections and keeps the request heads it saw.
 */
public final class HostileServer implements AutoCloseable {
  private final ServerSocket socket;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private interface Behaviour {
    void serve(Socket connection) throws IOException, InterruptedException;
  }

  private HostileServer(Behaviour behaviour) throws IOException {
    this(behaviour, null);
  }

  private HostileServer(Behaviour behaviour, javax.net.ssl.SSLContext tls) throws IOException {
    socket = tls == null ? new ServerSocket(0, 100, InetAddress.getLoopbackAddress())
        : tls.getServerSocketFactory().createServerSocket(0, 100, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("hostile-accept").start(() -> {
      while (!closed) {
        try {
          Socket connection = socket.accept();
          connections.incrementAndGet();
          open.add(connection);
          Thread.ofVirtual().start(() -> {
            try (connection) {
              requests.add(readHead(connection.getInputStream()));
              behaviour.serve(connection);
            } catch (IOException | InterruptedException e) {
              // the client gave up: what these servers are for
            } finally {
              open.remove(connection);
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  /** Answers every request {@code 200} with this text as the reason phrase, a header and the body. */
  public static HostileServer leaking(String secret) throws IOException {
    return new HostileServer(connection -> {
      OutputStream out = connection.getOutputStream();
      byte[] body = (secret + "\n" + "{\"message\":\"" + secret + "\",\"gitVersion\":\"" + secret + "\"}\n").getBytes(StandardCharsets.UTF_8);
      out.write(("HTTP/1.1 200 " + secret + "\r\nContent-Type: text/plain\r\nX-Leak: " + secret + "\r\nContent-Length: " + body.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.write(body);
      out.flush();
    });
  }

  /**
   * Answers the Git ref advertisement with a protocol error line ({@code ERR <text>}), as a Git
   * server refusing a client does; over TLS when {@code tls} is given.
   */
  public static HostileServer gitError(String text, javax.net.ssl.SSLContext tls) throws IOException {
    return new HostileServer(connection -> {
      OutputStream out = connection.getOutputStream();
      String service = "# service=git-upload-pack\n";
      String error = "ERR " + text + "\n";
      String body = pktLine(service) + "0000" + pktLine(error);
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\nContent-Length: " + body.length()
          + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
    }, tls);
  }

  private static String pktLine(String payload) {
    return String.format("%04x", payload.length() + 4) + payload;
  }

  /** Sends a plausible Git smart-HTTP response head, then one byte every {@code every}, forever. */
  public static HostileServer trickling(Duration every) throws IOException {
    return trickling(every, null);
  }

  /** The same over TLS ({@code tls} null: plain HTTP), for operators that refuse plain HTTP. */
  public static HostileServer trickling(Duration every, javax.net.ssl.SSLContext tls) throws IOException {
    return new HostileServer(connection -> {
      OutputStream out = connection.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\n"
          + "Cache-Control: no-cache\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      while (true) {
        Thread.sleep(every.toMillis());
        out.write('0');
        out.flush();
      }
    }, tls);
  }

  public int port() {
    return socket.getLocalPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  public int connections() {
    return connections.get();
  }

  /** Connections still open right now (a trickling fetch that has not been cut off). */
  public int openConnections() {
    return open.size();
  }

  public List<String> requests() {
    return List.copyOf(requests);
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && head.length() < 65536) {
      head.append((char) b);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // closing
    }
    for (Socket connection : open) {
      try {
        connection.close();
      } catch (IOException e) {
        // closing
      }
    }
  }
}
