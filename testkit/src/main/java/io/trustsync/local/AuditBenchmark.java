package io.trustsync.local;

import io.trustsync.audit.SignerAudit;
import io.trustsync.findings.ValidationOptions;
import io.trustsync.registry.ImageReference;
import io.trustsync.registry.OciRegistryClient;
import io.trustsync.registry.RegistryCredentials;
import io.trustsync.registry.SignatureScanner;
import io.trustsync.repository.RepositoryReader;
import io.trustsync.validation.AcceptedEnvironment;
import io.trustsync.validation.RepositoryValidator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How fast the signer audit goes and what its result weighs: a real registry (CNCF Distribution)
 * holding {@code images} images over {@code repositories} repositories, each signed by the real
 * notation CLI (JWS and COSE alternately, one team key); the audit over all of them is timed
 * {@code runs} times, and the heap its report holds (what the operator keeps until it has written
 * status) is measured after a full GC, per 10,000 images.
 */
public final class AuditBenchmark {
  public record Result(int images, int repositories, List<Double> imagesPerSecond, double medianImagesPerSecond, long reportBytes,
      long reportBytesPer10k) {
    public String json() {
      return String.format(java.util.Locale.ROOT, "{\"images\":%d,\"repositories\":%d,\"imagesPerSecond\":%s,\"medianImagesPerSecond\":%.1f,"
          + "\"reportHeapBytes\":%d,\"reportHeapBytesPer10000Images\":%d}", images, repositories, imagesPerSecond, medianImagesPerSecond,
          reportBytes, reportBytesPer10k);
    }
  }

  public Result run(Path registryBinary, Path notationBinary, int images, int repositories, int runs, Path work, Consumer<String> log)
      throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(registryBinary, work.resolve("registry"))) {
      LocalNotation notation = new LocalNotation(notationBinary, work.resolve("notation-home"), registry.certificateAuthorityFile());
      Path certificate = notation.generateTestKey("bench");
      List<ImageReference> targets = new ArrayList<>();
      for (int r = 0; r < repositories; r++) {
        targets.add(ImageReference.parse(registry.host() + "/bench/app-" + r));
      }
      log.accept("pushing and signing " + images + " images (not timed)");
      for (int i = 0; i < images; i++) {
        String repository = "bench/app-" + (i % repositories);
        String digest = registry.pushImage(repository, "v" + i, "image " + i);
        LocalNotation.Run signed = notation.sign("bench", i % 2 == 0 ? "jws" : "cose", registry.host() + "/" + repository + "@" + digest);
        if (signed.exitCode() != 0) {
          throw new IllegalStateException("notation sign failed: " + signed.output());
        }
      }
      Path env = work.resolve("policies/environments/production");
      Files.createDirectories(env.resolve("truststore/x509/ca/bench"));
      Files.copy(certificate, env.resolve("truststore/x509/ca/bench/bench.crt"));
      StringBuilder scopes = new StringBuilder();
      for (ImageReference target : targets) {
        scopes.append(scopes.isEmpty() ? "" : ", ").append('"').append(target.scope()).append('"');
      }
      Files.writeString(env.resolve("trustpolicy.json"), """
          {"version": "1.0", "trustPolicies": [{"name": "bench", "registryScopes": [%s],
            "signatureVerification": {"level": "strict"}, "trustStores": ["ca:bench"], "trustedIdentities": ["*"]}]}
          """.formatted(scopes));
      ValidationOptions options = ValidationOptions.at(Instant.now());
      var report = RepositoryValidator.validate(RepositoryReader.read(work.resolve("policies")), options);
      AcceptedEnvironment environment = report.environments().get("production");
      if (environment == null) {
        throw new IllegalStateException("the generated policy does not validate: " + report.findings());
      }
      List<Double> rates = new ArrayList<>();
      SignerAudit.Report last = null;
      for (int run = 0; run <= runs; run++) {
        OciRegistryClient client = new OciRegistryClient(registry.sslContext(), RegistryCredentials.ANONYMOUS, false,
            new OciRegistryClient.Limits(4 << 20, 4 << 20, images + 1, java.time.Duration.ofSeconds(30)));
        long start = System.nanoTime();
        last = SignerAudit.run(environment, new SignatureScanner(client, 50), targets, Instant.now());
        double seconds = (System.nanoTime() - start) / 1e9;
        if (last.images() != images || last.failing() != 0) {
          throw new IllegalStateException("the audit found " + last.images() + " images, " + last.failing() + " failing; expected " + images + ", 0");
        }
        if (run > 0) { // the first run warms the JIT and the connections
          rates.add(Math.round(images / seconds * 10) / 10.0);
          log.accept("run " + run + ": " + images + " images in " + Math.round(seconds * 1000) + " ms");
        }
      }
      long before = heapAfterGc();
      SignerAudit.Report held = SignerAudit.run(environment, new SignatureScanner(new OciRegistryClient(registry.sslContext(),
          RegistryCredentials.ANONYMOUS, false, new OciRegistryClient.Limits(4 << 20, 4 << 20, images + 1, java.time.Duration.ofSeconds(30))), 50),
          targets, Instant.now());
      long after = heapAfterGc();
      long bytes = Math.max(0, after - before);
      if (held.images() != images) {
        throw new IllegalStateException("the last audit found " + held.images() + " images");
      }
      List<Double> sorted = rates.stream().sorted().toList();
      double median = sorted.get(sorted.size() / 2);
      return new Result(images, repositories, rates, median, bytes, bytes * 10_000 / images);
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
