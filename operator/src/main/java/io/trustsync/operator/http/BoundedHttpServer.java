package io.trustsync.operator.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server that an unauthenticated client cannot exhaust: at most
 * {@code maxConnections} at once (one more is answered 503 and closed at once), every read
 * bounded by {@code readTimeout}, every request by {@code requestTimeout} from its first byte to
 * the end of its response, request line and headers bounded in size, and a body read only when
 * the handler asks for it, up to the size it names. One request per connection.
 *
 * <p>The JDK's built-in server has no connection limit and no request deadline, and its handlers
 * read bodies after the fact; this is the part of the operator anyone on the network can reach.
 */
public final class BoundedHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BoundedHttpServer.class);
  private static final int MAX_REQUEST_LINE = 8 * 1024;
  private static final int MAX_HEADER_BYTES = 32 * 1024;
  private static final int MAX_HEADERS = 100;

  /** Limits of one server; the defaults suit webhooks and scrapes alike. */
  public record Limits(int maxConnections, Duration readTimeout, Duration requestTimeout) {
    public static final Limits DEFAULT = new Limits(64, Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  /** What a handler answers. */
  public record Response(int status, String contentType, byte[] body) {
    public static Response text(int status, String text) {
      return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
  }

  public interface Handler {
    Response handle(Request request) throws IOException;
  }

  /** A parsed request line and headers; the body stays on the wire until asked for. */
  public static final class Request {
    private final String method;
    private final String path;
    private final Map<String, String> headers;
    private final InputStream in;

    Request(String method, String path, Map<String, String> headers, InputStream in) {
      this.method = method;
      this.path = path;
      this.headers = headers;
      this.in = in;
    }

    public String method() {
      return method;
    }

    /** The path without the query string. */
    public String path() {
      return path;
    }

    /** A header (names are case-insensitive), or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The declared body length, -1 when there is none, or {@link Long#MAX_VALUE} when chunked. */
    public long contentLength() {
      if (header("transfer-encoding") != null) {
        return Long.MAX_VALUE;
      }
      String length = header("content-length");
      if (length == null) {
        return -1;
      }
      try {
        return Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        return Long.MAX_VALUE;
      }
    }

    /** Reads the body, which the caller checked is at most {@code max} bytes long. */
    public byte[] body(int max) throws IOException {
      long length = contentLength();
      if (length <= 0) {
        return new byte[0];
      }
      if (length > max) {
        throw new IOException("body over " + max + " bytes");
      }
      byte[] body = in.readNBytes((int) length);
      if (body.length != length) {
        throw new EOFException("body shorter than Content-Length");
      }
      return body;
    }

    /** Reads and drops the body, at most {@code max} bytes, holding none of it. */
    public void discardBody(int max) throws IOException {
      long length = contentLength();
      if (length <= 0) {
        return;
      }
      if (length > max) {
        throw new IOException("body over " + max + " bytes");
      }
      byte[] buffer = new byte[8192];
      long left = length;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new EOFException("body shorter than Content-Length");
        }
        left -= n;
      }
    }
  }

  private final String name;
  private final Limits limits;
  private final Handler handler;
  private final Consumer<String> rejected;
  private final ServerSocket socket;
  private final Semaphore slots;
  private final Thread acceptor;
  private final ScheduledExecutorService deadlines;
  private final AtomicLong lastCompletion = new AtomicLong(System.nanoTime());
  private volatile boolean closed;

  /** {@code rejected} hears the server name of each connection refused at the limit. */
  public BoundedHttpServer(String name, InetSocketAddress address, Limits limits, Handler handler, Consumer<String> rejected)
      throws IOException {
    this.name = name;
    this.limits = limits;
    this.handler = handler;
    this.rejected = rejected;
    this.slots = new Semaphore(limits.maxConnections());
    this.socket = new ServerSocket();
    this.socket.setReuseAddress(true);
    this.socket.bind(address, limits.maxConnections());
    this.deadlines = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(name + "-deadlines").factory());
    this.acceptor = Thread.ofPlatform().daemon().name(name + "-accept").start(this::acceptLoop);
  }

  public int port() {
    return socket.getLocalPort();
  }

  /**
   * False when the server can no longer serve: its accept loop died, or every slot has been
   * taken without a single request finishing for twice the request deadline, which the deadlines
   * make impossible unless something is wedged.
   */
  public boolean healthy() {
    if (closed || !acceptor.isAlive()) {
      return false;
    }
    if (slots.availablePermits() > 0) {
      return true;
    }
    return System.nanoTime() - lastCompletion.get() < limits.requestTimeout().multipliedBy(2).toNanos();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket connection;
      try {
        connection = socket.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("{}: accept failed: {}", name, e.toString());
          try {
            Thread.sleep(100); // e.g. out of file descriptors: do not spin
          } catch (InterruptedException interrupted) {
            return;
          }
        }
        continue;
      }
      if (!slots.tryAcquire()) {
        rejected.accept(name);
        refuse(connection); // a short write into a fresh socket's buffer: never blocks the loop
        continue;
      }
      Thread.ofVirtual().name(name + "-conn").start(() -> {
        try {
          serve(connection);
        } finally {
          slots.release();
          lastCompletion.set(System.nanoTime());
        }
      });
    }
  }

  /** At the limit: answer 503 without reading anything and close. */
  private void refuse(Socket connection) {
    try (connection) {
      connection.setSoTimeout((int) limits.readTimeout().toMillis());
      write(connection.getOutputStream(), Response.text(503, "too many connections\n"));
    } catch (IOException e) {
      // the client went away; nothing to do
    }
  }

  private void serve(Socket connection) {
    ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(connection), limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    try (connection) {
      connection.setSoTimeout((int) limits.readTimeout().toMillis());
      connection.setTcpNoDelay(true);
      InputStream in = new java.io.BufferedInputStream(connection.getInputStream(), 8192);
      OutputStream out = connection.getOutputStream();
      Request request;
      try {
        request = readRequest(in);
      } catch (BadRequest e) {
        write(out, Response.text(e.status, e.getMessage() + "\n"));
        return;
      }
      if (request == null) {
        return; // connection closed before a request
      }
      Response response;
      try {
        response = handler.handle(request);
      } catch (SocketTimeoutException | EOFException e) {
        return; // a client too slow to send what it announced gets nothing back
      } catch (IOException e) {
        response = Response.text(400, "bad request\n");
      } catch (RuntimeException e) {
        LOG.warn("{}: handler failed: {}", name, e.toString());
        response = Response.text(500, "internal error\n");
      }
      write(out, response);
    } catch (SocketException | SocketTimeoutException e) {
      // deadline passed (socket closed under us) or the client is gone
    } catch (IOException e) {
      LOG.debug("{}: connection failed: {}", name, e.toString());
    } finally {
      deadline.cancel(false);
    }
  }

  private static final class BadRequest extends IOException {
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private static Request readRequest(InputStream in) throws IOException {
    String requestLine = readLine(in, MAX_REQUEST_LINE);
    if (requestLine == null) {
      return null;
    }
    String[] parts = requestLine.split(" ");
    if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
      throw new BadRequest(400, "bad request line");
    }
    Map<String, String> headers = new TreeMap<>();
    int total = 0;
    for (int count = 0; ; count++) {
      String line = readLine(in, MAX_HEADER_BYTES);
      if (line == null) {
        throw new EOFException("headers cut short");
      }
      if (line.isEmpty()) {
        break;
      }
      total += line.length();
      if (count >= MAX_HEADERS || total > MAX_HEADER_BYTES) {
        throw new BadRequest(431, "request headers too large");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new BadRequest(400, "bad header line");
      }
      String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      headers.merge(key, value, (a, b) -> a + ", " + b);
    }
    String target = parts[1];
    int query = target.indexOf('?');
    return new Request(parts[0], query < 0 ? target : target.substring(0, query), headers, in);
  }

  /** A CRLF- (or LF-) terminated line of ISO-8859-1 text, at most {@code max} bytes; null at EOF before any byte. */
  private static String readLine(InputStream in, int max) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.size() == 0) {
          return null;
        }
        throw new EOFException("line cut short");
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      if (line.size() >= max) {
        throw new BadRequest(431, "request line or header too long");
      }
      line.write(b);
    }
  }

  private static void write(OutputStream out, Response response) throws IOException {
    String head = "HTTP/1.1 " + response.status() + " " + reason(response.status()) + "\r\n"
        + "Content-Type: " + response.contentType() + "\r\n"
        + "Content-Length: " + response.body().length + "\r\n"
        + "Connection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(response.body());
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 202 -> "Accepted";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 411 -> "Length Required";
      case 413 -> "Content Too Large";
      case 431 -> "Request Header Fields Too Large";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  private static void closeQuietly(Socket connection) {
    try {
      connection.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
    deadlines.shutdownNow();
  }
}
