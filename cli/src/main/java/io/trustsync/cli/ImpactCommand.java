package io.trustsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trustsync.audit.Impact;
import io.trustsync.registry.ImageReference;
import io.trustsync.registry.OciRegistryClient;
import io.trustsync.registry.RegistryException;
import io.trustsync.registry.SignatureScanner;
import io.trustsync.validation.AcceptedEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "impact",
    mixinStandardHelpOptions = true,
    description = {
      "What a trust policy change would break: the images found in the registries (or named) are judged under the base and",
      "the head revision of the policy repository, as `notation verify` would, and every image that goes from pass to fail is",
      "listed with why (a store removed, an identity narrowed, a scope moved), with the signatures that stop verifying."
    },
    footer = {
      "",
      "Examples:",
      "  trustsync impact --repo . --base origin/main --head HEAD --env production",
      "  trustsync impact --repo . --base $BASE_SHA --head $HEAD_SHA --env production --images-file running-images.txt",
      "",
      "With no image named, the registry scopes of the base revision are scanned (a pull request cannot add a registry to contact).",
      "",
      "Exit codes: 0 no image breaks, 1 an image would go from pass to fail, 2 usage, repository or registry error."
    })
final class ImpactCommand implements Callable<Integer> {
  private static final int MAX_FILES = 10_000;
  private static final long MAX_BYTES = 64L << 20;

  @Parameters(paramLabel = "REGISTRY/REPOSITORY", arity = "0..*", description = "Repositories (every tag), or images by :tag or @digest.")
  List<String> targets = new ArrayList<>();

  @Option(names = "--repo", defaultValue = ".", paramLabel = "DIR", description = "The policy repository's Git working copy. Default: ${DEFAULT-VALUE}.")
  Path repository;

  @Option(names = "--base", required = true, paramLabel = "REV", description = "The revision merged now, e.g. origin/main or the PR's base SHA.")
  String base;

  @Option(names = "--head", required = true, paramLabel = "REV", description = "The revision proposed, e.g. HEAD or the PR's head SHA.")
  String head;

  @Option(names = {"-e", "--env"}, paramLabel = "ENV", description = "Environment (required when the repository has several).")
  String environment;

  @Option(names = "--images-file", paramLabel = "FILE", description = "Image references, one per line (e.g. what the clusters run).")
  Path imagesFile;

  @Option(names = {"-o", "--format"}, defaultValue = "text", paramLabel = "FORMAT", description = "text or json. Default: ${DEFAULT-VALUE}.")
  String format;

  @CommandLine.Mixin RegistryOptions registry;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!List.of("text", "json").contains(format)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format '" + format + "': choose text or json");
    }
    Path work = Files.createTempDirectory("trustsync-impact");
    try {
      Path baseTree = work.resolve("base");
      Path headTree = work.resolve("head");
      checkout(base, baseTree);
      checkout(head, headTree);
      AcceptedEnvironment before = AcceptedInput.environment(spec, baseTree, environment, "the base revision " + base + " does not validate");
      if (before == null) {
        return 2;
      }
      AcceptedEnvironment after = AcceptedInput.environment(spec, headTree, before.name(), "the head revision " + head + " does not validate;"
          + " `trustsync validate` says what to fix");
      if (after == null) {
        return 2;
      }
      List<String> named = new ArrayList<>(targets);
      if (imagesFile != null) {
        Files.readAllLines(imagesFile, StandardCharsets.UTF_8).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .forEach(named::add);
      }
      if (named.isEmpty()) {
        // the base's scopes: a pull request that adds a registry gets no request sent to it
        named.addAll(io.trustsync.audit.SignerAudit.registryScopes(before));
      }
      List<SignatureScanner.Image> images = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      for (ImageReference reference : RegistryOptions.references(spec, named)) {
        try {
          images.addAll(registry.scanner(spec, reference).scan(reference));
        } catch (RegistryException e) {
          problems.add(e.getMessage());
        }
      }
      Impact.Report report = Impact.of(before, after, images, problems, Instant.now());
      if (format.equals("json")) {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
      } else {
        text(report, out);
      }
      out.flush();
      problems.forEach(p -> err.println("trustsync: " + p));
      return !problems.isEmpty() ? 2 : report.breaking().isEmpty() ? 0 : 1;
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Writes the files of {@code revision} (a commit, branch, tag or SHA) under {@code into}; bounded like a fetched source. */
  private void checkout(String revision, Path into) throws IOException {
    try (Repository git = new FileRepositoryBuilder().findGitDir(repository.toAbsolutePath().toFile()).setMustExist(true).build();
        RevWalk walk = new RevWalk(git)) {
      ObjectId id = git.resolve(revision + "^{commit}");
      if (id == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "'" + revision + "' is no commit of the repository at " + repository
            + ": name a branch, tag or SHA (in CI, fetch enough history for the base)");
      }
      RevCommit commit = walk.parseCommit(id);
      Path root = git.getWorkTree().toPath().toAbsolutePath().normalize();
      Path inside = root.relativize(repository.toAbsolutePath().normalize());
      int files = 0;
      long bytes = 0;
      try (TreeWalk tree = new TreeWalk(git)) {
        tree.addTree(commit.getTree());
        tree.setRecursive(true);
        while (tree.next()) {
          if (tree.getFileMode(0) != FileMode.REGULAR_FILE && tree.getFileMode(0) != FileMode.EXECUTABLE_FILE) {
            continue; // links and submodules are not part of a policy repository
          }
          String path = tree.getPathString();
          if (!inside.toString().isEmpty() && !path.startsWith(inside.toString().replace('\\', '/') + "/")) {
            continue;
          }
          String relative = inside.toString().isEmpty() ? path : path.substring(inside.toString().length() + 1);
          byte[] content = git.open(tree.getObjectId(0)).getBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES));
          bytes += content.length;
          if (++files > MAX_FILES || bytes > MAX_BYTES) {
            throw new CommandLine.ParameterException(spec.commandLine(), "revision " + revision + " holds more than " + MAX_FILES
                + " files or " + (MAX_BYTES >> 20) + " MiB: not a policy repository");
          }
          Path file = into.resolve(relative).normalize();
          if (!file.startsWith(into)) {
            continue;
          }
          Files.createDirectories(file.getParent());
          Files.write(file, content);
        }
      }
      Files.createDirectories(into);
    } catch (org.eclipse.jgit.errors.RepositoryNotFoundException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), repository + " is not inside a Git repository: --repo names the working copy");
    }
  }

  private static void text(Impact.Report report, PrintWriter out) {
    for (Impact.ImageImpact image : report.images()) {
      if (image.change() == Impact.Change.BREAKS) {
        out.printf("BREAKS  %s%s%n        %s%n", image.reference(), tags(image), image.why());
      } else if (image.change() == Impact.Change.FIXES) {
        out.printf("FIXES   %s%s%n", image.reference(), tags(image));
      }
      for (Impact.LostSignature lost : image.lost()) {
        if (image.change() != Impact.Change.BREAKS) {
          out.printf("LOSES   %s%s: %s's %s signature (%s); still %s%n", image.reference(), tags(image), lost.signer(), lost.format(), lost.why(),
              image.change() == Impact.Change.STILL_PASSES ? "passes" : "fails");
        }
      }
    }
    long unchanged = report.images().stream().filter(i -> i.change() == Impact.Change.STILL_PASSES || i.change() == Impact.Change.STILL_FAILS).count();
    out.printf("%d image(s) judged in environment %s: %d break, %d fixed, %d unchanged%n", report.images().size(), report.environment(),
        report.breaking().size(), report.images().stream().filter(i -> i.change() == Impact.Change.FIXES).count(), unchanged);
  }

  private static String tags(Impact.ImageImpact image) {
    return image.tags().isEmpty() ? "" : " (" + String.join(", ", image.tags()) + ")";
  }
}
