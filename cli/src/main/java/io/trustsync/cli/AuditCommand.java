package io.trustsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustsync.audit.SignerAudit;
import io.trustsync.registry.ImageReference;
import io.trustsync.validation.AcceptedEnvironment;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "The field guide's signer audit: every image of the given repositories, its Notation signatures verified against one",
      "environment's trust policy and stores (as `notation verify` would), grouped by signer; signers that",
      "environments/<env>/expected-signers.yaml does not expect for a repository, unsigned images and images that fail the policy."
    },
    footer = {
      "",
      "Examples:",
      "  trustsync audit --repo policy-repo-example --env production acme.azurecr.io/storefront/web acme.azurecr.io/payments/api",
      "  trustsync audit --repo . --env production --format sarif --credentials-for registry.example --username ci --password-file token.txt",
      "",
      "With no repository given, the environment's registry scopes are audited.",
      "",
      "Exit codes: 0 every image passes with expected signers, 1 an unexpected signer, an unsigned or a failing image,",
      "2 usage, repository or registry error."
    })
final class AuditCommand implements Callable<Integer> {
  @Parameters(paramLabel = "REGISTRY/REPOSITORY", arity = "0..*",
      description = "Repositories (every tag), or images by :tag or @digest. Default: the environment's registry scopes.")
  List<String> targets = new ArrayList<>();

  @Option(names = "--repo", required = true, paramLabel = "DIR", description = "The policy repository (root or an environments/<env> folder).")
  Path repository;

  @Option(names = {"-e", "--env"}, paramLabel = "ENV", description = "Environment whose trust policy judges (required when the repository has several).")
  String environment;

  @Option(names = {"-o", "--format"}, defaultValue = "text", paramLabel = "FORMAT", description = "text, json or sarif. Default: ${DEFAULT-VALUE}.")
  String format;

  @CommandLine.Mixin RegistryOptions registry;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!List.of("text", "json", "sarif").contains(format)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--format '" + format + "': choose text, json or sarif");
    }
    AcceptedEnvironment accepted = AcceptedInput.environment(spec, repository, environment, "nothing audited");
    if (accepted == null) {
      return 2;
    }
    List<String> named = targets.isEmpty() ? SignerAudit.registryScopes(accepted) : targets;
    if (named.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "name the repositories to audit: environment " + accepted.name()
          + " has no registry scope but '*'");
    }
    List<ImageReference> references = RegistryOptions.references(spec, named);
    Instant now = Instant.now();
    List<SignerAudit.Repository> audited = new ArrayList<>();
    for (ImageReference reference : references) {
      audited.addAll(SignerAudit.run(accepted, registry.scanner(spec, reference), List.of(reference), now).repositories());
    }
    SignerAudit.Report report = new SignerAudit.Report(accepted.name(), now.toString(), List.copyOf(audited));
    switch (format) {
      case "json" -> out.println(json().writeValueAsString(report));
      case "sarif" -> out.println(json().writeValueAsString(sarif(report)));
      default -> text(report, out);
    }
    out.flush();
    boolean registryProblem = report.repositories().stream().anyMatch(r -> r.problem() != null);
    if (registryProblem) {
      report.repositories().stream().filter(r -> r.problem() != null).forEach(r -> err.println("trustsync: " + r.problem()));
      return 2;
    }
    return report.unexpectedSigners() + report.unsigned() + report.failing() > 0 ? 1 : 0;
  }

  private static void text(SignerAudit.Report report, PrintWriter out) {
    for (SignerAudit.Repository repository : report.repositories()) {
      out.printf("%s: %d image(s), %d unsigned, %d failing, %d unexpected signer(s)%n", repository.repository(), repository.images().size(),
          repository.unsigned(), repository.failing(), repository.unexpectedSigners());
      repository.imagesBySigner().forEach((signer, count) -> out.printf("  signer %s: %d image(s)%n", signer, count));
      for (SignerAudit.Image image : repository.images()) {
        String tags = image.tags().isEmpty() ? "" : " (" + String.join(", ", image.tags()) + ")";
        out.printf("  %-10s %s%s%n", image.state().name().toLowerCase(), image.reference(), tags);
        for (String unexpected : image.unexpected()) {
          out.printf("    UNEXPECTED signer %s%n", unexpected);
        }
        if (image.state() == SignerAudit.State.FAILS && image.reason() != null) {
          out.printf("    %s%n", image.reason());
        }
        image.problems().forEach(p -> out.printf("    problem: %s%n", p));
      }
    }
    out.printf("%d image(s) audited against environment %s: %d unexpected signer(s), %d unsigned, %d failing%n", report.images(),
        report.environment(), report.unexpectedSigners(), report.unsigned(), report.failing());
  }

  private static ObjectMapper json() {
    return new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }

  /** SARIF 2.1.0: one result per unexpected signer, unsigned image and failing image; the image reference is the location. */
  private static ObjectNode sarif(SignerAudit.Report report) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode log = mapper.createObjectNode();
    log.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    log.put("version", "2.1.0");
    ObjectNode run = log.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "trustsync-audit");
    ArrayNode rules = driver.putArray("rules");
    for (String[] rule : new String[][] {{"audit.unexpectedSigner", "A signer not expected for the repository signed an image"},
        {"audit.unsigned", "An image has no Notation signature"}, {"audit.failsPolicy", "An image fails the environment's trust policy"}}) {
      ObjectNode r = rules.addObject();
      r.put("id", rule[0]);
      r.putObject("shortDescription").put("text", rule[1]);
    }
    ArrayNode results = run.putArray("results");
    for (SignerAudit.Repository repository : report.repositories()) {
      for (SignerAudit.Image image : repository.images()) {
        for (String signer : image.unexpected()) {
          result(results, "audit.unexpectedSigner", "error", image.reference(), signer + " signed " + image.reference()
              + ", and expected-signers.yaml of " + report.environment() + " does not expect it for " + repository.repository());
        }
        if (image.state() == SignerAudit.State.UNSIGNED) {
          result(results, "audit.unsigned", "warning", image.reference(), image.reference() + " has no Notation signature");
        } else if (image.state() == SignerAudit.State.FAILS || image.state() == SignerAudit.State.UNREADABLE) {
          result(results, "audit.failsPolicy", "error", image.reference(), image.reference() + ": " + image.reason());
        }
      }
    }
    return log;
  }

  private static void result(ArrayNode results, String rule, String level, String image, String message) {
    ObjectNode result = results.addObject();
    result.put("ruleId", rule);
    result.put("level", level);
    result.putObject("message").put("text", message);
    result.putArray("locations").addObject().putObject("physicalLocation").putObject("artifactLocation").put("uri", "oci://" + image);
  }
}
