package io.trustsync.repository;

import io.trustsync.findings.Finding;
import io.trustsync.findings.GateConfig;
import io.trustsync.findings.ValidationOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a policy repository (PRODUCT.md §1) from a directory into a {@link PolicyRepository}.
 *
 * <p>Never follows a symlink (notation refuses them in trust stores and for the trust policy, and
 * a link is the only way a checked-out path can point outside the repository), never opens
 * anything but a regular file (a FIFO would block the read forever), and never reads more than
 * {@code maxFileBytes} of one file.
 */
public final class RepositoryReader {
  public static final long DEFAULT_MAX_FILE_BYTES = ValidationOptions.DEFAULT_MAX_FILE_BYTES;
  /** Bounds the walk so a pathological tree is reported, not walked for minutes. */
  private static final int MAX_ENTRIES_PER_DIRECTORY = 10_000;

  static final String POLICY = "trustpolicy.json";
  static final String OCI_POLICY = "trustpolicy.oci.json";
  /** The signer audit's expectations (optional); only this spelling is read. */
  public static final String EXPECTED_SIGNERS = "expected-signers.yaml";
  /** Spellings of {@link #EXPECTED_SIGNERS} that are not read, and so would silently expect nothing. */
  private static final List<String> EXPECTED_SIGNERS_MISSPELT = List.of("expected-signers.yml", "expectedSigners.yaml", "expected_signers.yaml");
  /** Notation's rule for named store folders (notation-go internal/file IsValidFileName). */
  public static final Pattern STORE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
  /** Environment names become label values and object names in member clusters. */
  public static final Pattern ENVIRONMENT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private long maxFileBytes; // the caller's, or the one .trustsync.yaml sets
  private final List<Finding> findings = new ArrayList<>();
  private Path root;

  private RepositoryReader(long maxFileBytes) {
    this.maxFileBytes = maxFileBytes;
  }

  public static PolicyRepository read(Path root) throws IOException {
    return read(root, DEFAULT_MAX_FILE_BYTES);
  }

  /** @throws IOException only when {@code root} itself is not a readable directory */
  public static PolicyRepository read(Path root, long maxFileBytes) throws IOException {
    return new RepositoryReader(maxFileBytes).readRepository(root);
  }

  /**
   * Reads a single environment folder ({@code .../environments/<env>}). When it sits inside a
   * repository the shared stores of that repository are read too.
   */
  public static PolicyRepository readEnvironment(Path environmentDir, long maxFileBytes) throws IOException {
    if (!Files.isDirectory(environmentDir)) {
      throw new IOException(environmentDir + " is not a directory");
    }
    Path dir = environmentDir.toRealPath();
    Path parent = dir.getParent();
    if (parent != null && parent.getFileName() != null
        && parent.getFileName().toString().equals("environments") && parent.getParent() != null) {
      PolicyRepository whole = read(parent.getParent(), maxFileBytes);
      String name = dir.getFileName().toString();
      List<EnvironmentDirectory> one = whole.environments().stream().filter(e -> e.name().equals(name)).toList();
      String prefix = "environments/" + name + "/";
      List<Finding> relevant = whole.layoutFindings().stream()
          .filter(f -> !f.file().startsWith("environments/") || f.file().startsWith(prefix)
              || f.file().equals("environments/" + name))
          .toList();
      return new PolicyRepository(whole.root(), whole.sharedStores(), one, relevant, whole.sharedSigners(), whole.gateConfig());
    }
    RepositoryReader reader = new RepositoryReader(maxFileBytes);
    reader.root = dir;
    EnvironmentDirectory env = reader.readEnvironmentDir(dir, dir.getFileName().toString(), "");
    return new PolicyRepository(dir.toString(), List.of(), List.of(env), List.copyOf(reader.findings), List.of(), GateConfig.NONE);
  }

  private PolicyRepository readRepository(Path rootDir) throws IOException {
    if (!Files.isDirectory(rootDir)) {
      throw new IOException(rootDir + " is not a directory");
    }
    // The root is the caller's choice, so a link to it is followed, once: escape checks then
    // compare every link inside against where the repository really is.
    root = rootDir.toRealPath();
    // the gate configuration first: it may set the size limit for everything else
    RepoFile configFile = readIfPresent(root.resolve(GateConfig.FILE));
    GateConfig gateConfig = GateConfig.parse(configFile == null ? null : configFile.content());
    if (gateConfig.maxFileBytes() != null) {
      maxFileBytes = Math.min(gateConfig.maxFileBytes(), GateConfig.MAX_FILE_BYTES_CAP);
    }
    List<TrustStoreDirectory> shared = readStores(root.resolve("truststore"), null);
    List<EnvironmentDirectory> environments = new ArrayList<>();
    Path envRoot = root.resolve("environments");
    if (Files.isSymbolicLink(envRoot)) {
      readIfPresent(envRoot); // records repo.symlink / repo.pathEscape
    }
    if (!isDirectory(envRoot)) {
      findings.add(Finding.error("repo.noEnvironments", "environments",
          "the repository has no environments/ folder; create environments/<env>/trustpolicy.json for each environment"));
    } else {
      for (Path envDir : children(envRoot)) {
        String name = envDir.getFileName().toString();
        if (!isDirectory(envDir)) {
          continue;
        }
        if (!ENVIRONMENT_NAME.matcher(name).matches()) {
          findings.add(Finding.error("repo.environmentName", relative(envDir),
              "environment name '" + name + "' must be a lowercase DNS label (a-z, 0-9, '-', at most 63 characters) because it becomes a label value in every cluster; rename the folder"));
        }
        environments.add(readEnvironmentDir(envDir, name, relative(envDir) + "/"));
      }
      if (environments.isEmpty()) {
        findings.add(Finding.error("repo.noEnvironments", "environments",
            "environments/ holds no environment folder; add environments/<env>/trustpolicy.json"));
      }
    }
    List<RepoFile> signers = readSigners(root.resolve("signers"), 0);
    return new PolicyRepository(root.toString(), shared, List.copyOf(environments), List.copyOf(findings), List.copyOf(signers), gateConfig);
  }

  private EnvironmentDirectory readEnvironmentDir(Path envDir, String name, String prefix) throws IOException {
    RepoFile policy = readIfPresent(envDir.resolve(POLICY));
    RepoFile ociPolicy = readIfPresent(envDir.resolve(OCI_POLICY));
    List<TrustStoreDirectory> stores = readStores(envDir.resolve("truststore"), name);
    RepoFile effective = ociPolicy != null ? ociPolicy : policy;
    RepoFile shadowed = ociPolicy != null ? policy : null;
    String path = prefix.isEmpty() ? "." : prefix.substring(0, prefix.length() - 1);
    List<RepoFile> signers = readSigners(envDir.resolve("signers"), 0);
    RepoFile expectedSigners = readIfPresent(envDir.resolve(EXPECTED_SIGNERS));
    for (String misspelt : EXPECTED_SIGNERS_MISSPELT) {
      Path file = envDir.resolve(misspelt);
      if (exists(file)) {
        findings.add(Finding.error("signer.expected.fileName", relative(file),
            "TrustSync reads the expected signers only from " + EXPECTED_SIGNERS + ", so this file is ignored and the audit would expect no one;"
                + " rename it to " + EXPECTED_SIGNERS + (expectedSigners != null ? " (merging it into the one that exists)" : "")));
      }
    }
    return new EnvironmentDirectory(name, path, effective, shadowed, stores, List.copyOf(signers), expectedSigners);
  }

  /**
   * The signer certificates under {@code signers/} (optional): files directly inside, or one
   * folder down (a folder per team). Public leaf certificates, never sent to a cluster.
   */
  private List<RepoFile> readSigners(Path dir, int depth) throws IOException {
    List<RepoFile> files = new ArrayList<>();
    if (!exists(dir)) {
      return files;
    }
    if (Files.isSymbolicLink(dir)) {
      readIfPresent(dir); // records repo.symlink / repo.pathEscape
      return files;
    }
    if (!isDirectory(dir)) {
      findings.add(Finding.error("signer.strayFile", relative(dir),
          "signers must be a folder of certificate files (signers/<file> or signers/<team>/<file>); move this file into one"));
      return files;
    }
    for (Path child : children(dir)) {
      if (isDirectory(child)) {
        if (depth == 0) {
          files.addAll(readSigners(child, 1));
        } else {
          findings.add(Finding.error("signer.subdirectory", relative(child),
              "signer certificates go in signers/ or one folder below it (signers/<team>/); move the files up"));
        }
        continue;
      }
      RepoFile read = readIfPresent(child);
      if (read != null) {
        files.add(read);
      }
    }
    return files;
  }

  private List<TrustStoreDirectory> readStores(Path truststore, String environment) throws IOException {
    List<TrustStoreDirectory> stores = new ArrayList<>();
    if (!exists(truststore)) {
      return stores;
    }
    if (Files.isSymbolicLink(truststore)) {
      readIfPresent(truststore); // records repo.symlink / repo.pathEscape; a linked store folder is never walked
      return stores;
    }
    if (!isDirectory(truststore)) {
      findings.add(Finding.error("store.strayFile", relative(truststore),
          "truststore must be a folder holding x509/<type>/<name>/ store folders; remove this file"));
      return stores;
    }
    Path x509 = truststore.resolve("x509");
    for (Path child : children(truststore)) {
      if (!child.equals(x509) && isDirectory(child)) {
        findings.add(Finding.error("store.unknownType", relative(child),
            "notation only reads x509 trust stores: move the stores to " + relative(truststore) + "/x509/<type>/<name>/"));
      }
    }
    if (!isDirectory(x509)) {
      return stores;
    }
    for (Path typeDir : children(x509)) {
      if (!isDirectory(typeDir)) {
        findings.add(Finding.error("store.strayFile", relative(typeDir),
            "files belong in a named store folder, " + relative(x509) + "/<type>/<name>/; move or delete this file"));
        continue;
      }
      String typeName = typeDir.getFileName().toString();
      var type = StoreType.of(typeName);
      if (type.isEmpty()) {
        findings.add(Finding.error("store.unknownType", relative(typeDir),
            "'" + typeName + "' is not a trust store type; use ca, signingAuthority or tsa (case-sensitive)"));
        continue;
      }
      for (Path storeDir : children(typeDir)) {
        String storeName = storeDir.getFileName().toString();
        if (!isDirectory(storeDir)) {
          findings.add(Finding.error("store.strayFile", relative(storeDir),
              "certificates belong in a named store folder " + relative(typeDir) + "/<name>/; move this file into one"));
          continue;
        }
        if (!STORE_NAME.matcher(storeName).matches()) {
          findings.add(Finding.error("store.invalidName", relative(storeDir),
              "store name '" + storeName + "' must match [a-zA-Z0-9_.-]+ (notation's rule); rename the folder"));
          continue;
        }
        List<RepoFile> files = new ArrayList<>();
        for (Path file : children(storeDir)) {
          if (isDirectory(file)) {
            findings.add(Finding.error("store.subdirectory", relative(file),
                "notation does not read sub-directories of a trust store and refuses to load the store; move the certificates up into " + relative(storeDir)));
            continue;
          }
          RepoFile read = readIfPresent(file);
          if (read != null) {
            files.add(read);
          }
        }
        stores.add(new TrustStoreDirectory(type.get(), storeName, relative(storeDir), environment, List.copyOf(files)));
      }
    }
    return stores;
  }

  /** Reads a regular file, or records why it was not read; null when absent or refused. */
  private RepoFile readIfPresent(Path file) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
    String path = relative(file);
    if (attributes.isSymbolicLink()) {
      Path target = Files.readSymbolicLink(file);
      Path resolved = file.getParent().resolve(target).normalize();
      if (!resolved.startsWith(root)) {
        findings.add(Finding.error("repo.pathEscape", path,
            "symlink to '" + target + "' points outside the repository; commit the file itself instead of a link"));
      } else {
        findings.add(Finding.error("repo.symlink", path,
            "symlink to '" + target + "': notation refuses symlinks in trust stores and for the trust policy; commit the file itself"));
      }
      return null;
    }
    if (!attributes.isRegularFile()) {
      if (!attributes.isDirectory()) {
        findings.add(Finding.error("repo.notRegularFile", path,
            "not a regular file (device, socket or pipe); remove it from the repository"));
      }
      return null;
    }
    if (attributes.size() > maxFileBytes) {
      findings.add(Finding.error("repo.oversizedFile", path,
          "file is " + attributes.size() + " bytes, over the " + maxFileBytes + "-byte limit; trust policies and certificates are far smaller, so this is probably the wrong file"));
      return null;
    }
    byte[] content;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      content = in.readNBytes((int) maxFileBytes + 1);
    }
    if (content.length > maxFileBytes) {
      findings.add(Finding.error("repo.oversizedFile", path,
          "file grew past the " + maxFileBytes + "-byte limit while being read; remove it"));
      return null;
    }
    return new RepoFile(path, content);
  }

  /** Sorted children, so every finding and every rendering is in a stable order. */
  private List<Path> children(Path dir) throws IOException {
    List<Path> result = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path child : stream) {
        if (result.size() == MAX_ENTRIES_PER_DIRECTORY) {
          findings.add(Finding.error("repo.tooManyFiles", relative(dir),
              "more than " + MAX_ENTRIES_PER_DIRECTORY + " entries; only the first were read"));
          break;
        }
        if (child.getFileName().toString().equals(".git")) {
          continue;
        }
        if (Files.isSymbolicLink(child)) {
          readIfPresent(child); // records repo.symlink / repo.pathEscape
          continue;
        }
        result.add(child);
      }
    }
    result.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return result;
  }

  private static boolean isDirectory(Path path) {
    return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
  }

  private static boolean exists(Path path) {
    return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
  }

  private String relative(Path path) {
    String rel = root.relativize(path).toString().replace('\\', '/');
    return rel.isEmpty() ? "." : rel;
  }
}
