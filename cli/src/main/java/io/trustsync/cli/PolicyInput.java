package io.trustsync.cli;

import io.trustsync.repository.PolicyRepository;
import io.trustsync.repository.RepoFile;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.validation.RepositoryValidator;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.validation.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a path on the command line names: a whole policy repository, one environment folder, or a
 * single trust policy file. Findings carry paths relative to {@code base}, the folder they are
 * shown relative to.
 */
record PolicyInput(Kind kind, Path path, Path base) {
  enum Kind { REPOSITORY, ENVIRONMENT, POLICY_FILE }

  /** Links in the path the user typed are followed: it is their choice, not repository content. */
  static PolicyInput of(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new java.nio.file.NoSuchFileException(path.toString());
    }
    if (Files.isRegularFile(path)) {
      Path parent = path.getParent() == null ? Path.of(".") : path.getParent();
      return new PolicyInput(Kind.POLICY_FILE, path, parent);
    }
    if (!Files.isDirectory(path)) {
      throw new IOException(path + " is neither a regular file nor a directory");
    }
    if (Files.isDirectory(path.resolve("environments"))) {
      return new PolicyInput(Kind.REPOSITORY, path, path);
    }
    if (Files.exists(path.resolve("trustpolicy.json")) || Files.exists(path.resolve("trustpolicy.oci.json"))) {
      Path absolute = path.toAbsolutePath().normalize();
      Path parent = absolute.getParent();
      boolean insideRepository = parent != null && parent.getFileName() != null
          && parent.getFileName().toString().equals("environments") && parent.getParent() != null;
      Path base = insideRepository ? path.resolve("../..").normalize() : path;
      return new PolicyInput(Kind.ENVIRONMENT, path, base);
    }
    throw new IOException(path + " is not a policy repository (no environments/ folder), an environment folder (no trustpolicy.json)"
        + " or a trust policy file; point trustsync at one of those");
  }

  ValidationReport validate(ValidationOptions options) throws IOException {
    return switch (kind) {
      case REPOSITORY -> RepositoryValidator.validate(RepositoryReader.read(path, options.maxFileBytes()), options);
      case ENVIRONMENT -> base.equals(path) ? RepositoryValidator.validate(RepositoryReader.readEnvironment(path, options.maxFileBytes()), options)
          : oneEnvironmentOf(options);
      case POLICY_FILE -> {
        long size = Files.size(path);
        if (size > options.maxFileBytes()) {
          yield new ValidationReport(List.of(io.trustsync.findings.Finding.error("repo.oversizedFile", path.getFileName().toString(),
              "file is " + size + " bytes, over the " + options.maxFileBytes() + "-byte limit; raise it with --max-file-size (or maxFileBytes in"
                  + " .trustsync.yaml) when a policy really is that large")), java.util.Map.of());
        }
        yield RepositoryValidator.validatePolicyFile(readFile(options.maxFileBytes()));
      }
    };
  }

  /**
   * An environment folder inside a repository is judged as part of the whole repository (a shared
   * store another environment uses is not "unused"), and reported for itself: its own files and
   * the shared ones.
   */
  private ValidationReport oneEnvironmentOf(ValidationOptions options) throws IOException {
    String name = path.toAbsolutePath().normalize().getFileName().toString();
    ValidationReport whole = RepositoryValidator.validate(RepositoryReader.read(base, options.maxFileBytes()), options);
    String prefix = "environments/" + name + "/";
    List<io.trustsync.findings.Finding> relevant = whole.findings().stream()
        .filter(f -> !f.file().startsWith("environments/") || f.file().startsWith(prefix) || f.file().equals("environments/" + name))
        .toList();
    var environments = whole.environments().containsKey(name) ? java.util.Map.of(name, whole.environments().get(name))
        : java.util.Map.<String, io.trustsync.validation.AcceptedEnvironment>of();
    var suppressed = whole.suppressed().stream()
        .filter(s -> !s.finding().file().startsWith("environments/") || s.finding().file().startsWith(prefix)).toList();
    return new ValidationReport(relevant, environments, suppressed);
  }

  PolicyRepository read(ValidationOptions options) throws IOException {
    return switch (kind) {
      case REPOSITORY -> RepositoryReader.read(path, options.maxFileBytes());
      case ENVIRONMENT -> RepositoryReader.readEnvironment(path, options.maxFileBytes());
      case POLICY_FILE -> throw new IOException(path + " is a single trust policy file; rendering needs the repository with its trust stores");
    };
  }

  private RepoFile readFile(long maxBytes) throws IOException {
    long size = Files.size(path);
    if (size > maxBytes) {
      throw new IOException(path + " is " + size + " bytes, over the " + maxBytes + "-byte limit for a trust policy");
    }
    try (InputStream in = Files.newInputStream(path)) {
      return new RepoFile(path.getFileName().toString(), in.readNBytes((int) maxBytes));
    }
  }

  /** How a finding's repository-relative path is shown: relative to where the user pointed. */
  String display(String file) {
    if (file.isEmpty() || file.equals(".")) {
      return base.toString();
    }
    return base.resolve(file).normalize().toString();
  }
}
