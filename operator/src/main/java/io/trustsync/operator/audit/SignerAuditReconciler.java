package io.trustsync.operator.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.trustsync.audit.SignerAudit.Report;
import io.trustsync.crd.audit.SignerAudit;
import io.trustsync.crd.audit.SignerAuditSpec;
import io.trustsync.crd.audit.SignerAuditStatus;
import io.trustsync.operator.shared.EventRecorder;
import io.trustsync.operator.shared.GoDuration;
import io.trustsync.operator.shared.SecretCache;
import io.trustsync.operator.shared.SecretData;
import io.trustsync.operator.shared.TrustSyncMetrics;
import io.trustsync.operator.source.AcceptedRevision;
import io.trustsync.operator.source.AcceptedRevisions;
import io.trustsync.registry.ImageReference;
import io.trustsync.registry.OciRegistryClient;
import io.trustsync.registry.RegistryCredentials;
import io.trustsync.registry.RegistryException;
import io.trustsync.registry.SignatureScanner;
import io.trustsync.source.AddressRules;
import io.trustsync.source.SourceException;
import io.trustsync.status.Conditions;
import io.trustsync.validation.AcceptedEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;

/**
 * Runs a {@link SignerAudit} on its interval, and at once when the source accepts a new revision
 * or the spec changes: the audit itself runs on a small pool of its own (a registry of thousands
 * of images takes a while), and the reconcile that follows its completion writes status,
 * metrics and an event per unexpected signer newly seen. The operator contacts only the
 * registries the environment's trust policy names in its registry scopes, under the egress rules
 * Git sources obey; credentials come from Secrets of the audit's own namespace.
 */
@ControllerConfiguration(name = "signeraudit", generationAwareEventProcessing = false)
public final class SignerAuditReconciler implements Reconciler<SignerAudit> {
  static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);
  static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
  static final String UNEXPECTED = "UnexpectedSigners";
  /** Stands for "exchange the operator's Entra ID token at this registry" until the audit runs. */
  private static final RegistryCredentials AZURE = new RegistryCredentials.Bearer("azure-workload-identity");
  private static final int MAX_UNEXPECTED = 50;
  private static final int MAX_SIGNERS = 20;

  /** An audit under way, for one revision and generation of the spec, since when. */
  private record Running(String key, Future<Report> result, Instant started) {}

  private static final int MAX_EVENTS_PER_RUN = 10;
  private static final int MAX_TEXT = 300;

  private final AcceptedRevisions revisions;
  private final SecretCache secrets;
  private final AddressRules addresses;
  private final TrustSyncMetrics metrics;
  private final EventRecorder events;
  private final ExecutorService pool = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("signer-audit-", 0).factory());
  /** By the audit's UID: a SignerAudit deleted and created again under its name is another audit. */
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  /** Image|signer pairs already announced, per audit UID (bounded): an event once, not once per run. */
  private final Map<String, Set<String>> announced = new ConcurrentHashMap<>();
  private volatile SimpleInboundEventSource<SignerAudit> triggers = new SimpleInboundEventSource<>("audit-triggers");

  private final io.trustsync.operator.azure.AzureClusters azure;
  private final io.trustsync.operator.shared.Tenancy tenancy;

  /** {@code azure}: the operator's Azure identity, null without --azure-workload-identity. */
  public SignerAuditReconciler(AcceptedRevisions revisions, SecretCache secrets, AddressRules addresses, TrustSyncMetrics metrics,
      EventRecorder events, io.trustsync.operator.azure.AzureClusters azure, io.trustsync.operator.shared.Tenancy tenancy) {
    this.azure = azure;
    this.tenancy = tenancy;
    this.revisions = revisions;
    this.secrets = secrets;
    this.addresses = addresses;
    this.metrics = metrics;
    this.events = events;
  }

  @Override
  public List<EventSource<?, SignerAudit>> prepareEventSources(EventSourceContext<SignerAudit> context) {
    triggers = new SimpleInboundEventSource<>("audit-triggers");
    return List.of(triggers);
  }

  @Override
  public UpdateControl<SignerAudit> reconcile(SignerAudit audit, Context<SignerAudit> context) {
    SignerAuditSpec spec = audit.getSpec();
    SignerAuditStatus previous = audit.getStatus() == null ? new SignerAuditStatus() : audit.getStatus();
    ResourceID id = ResourceID.fromResource(audit);
    String uid = audit.getMetadata().getUid();
    String namespace = audit.getMetadata().getNamespace();
    // results nobody collected (their audit was deleted) go after a while
    running.entrySet().removeIf(e -> e.getValue().result().isDone() && e.getValue().started().isBefore(Instant.now().minus(Duration.ofHours(1))));
    Duration interval;
    try {
      interval = GoDuration.parse(spec.interval, DEFAULT_INTERVAL);
    } catch (IllegalArgumentException e) {
      return stalled(audit, previous, "InvalidSpec", "spec.interval: " + e.getMessage());
    }
    interval = interval.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : interval;
    if (Boolean.TRUE.equals(spec.suspend)) {
      return write(audit, previous, carried(audit, previous), Conditions.READY, false, "Suspended", "spec.suspend is true: nothing is audited",
          Duration.ofMinutes(10));
    }
    AcceptedRevision revision = spec.sourceRef == null ? null : revisions.get(namespace + "/" + spec.sourceRef.name).orElse(null);
    if (revision == null) {
      return write(audit, previous, carried(audit, previous), Conditions.READY, false, "WaitingForSource",
          "PolicySource " + (spec.sourceRef == null ? "" : spec.sourceRef.name) + " has no accepted revision yet", Duration.ofSeconds(15));
    }
    AcceptedEnvironment environment = revision.environments().get(spec.environment);
    if (environment == null) {
      return stalled(audit, previous, "UnknownEnvironment", "revision " + revision.revision().substring(0, 12) + " has no environment '"
          + spec.environment + "'; it has " + String.join(", ", revision.environments().keySet()));
    }
    List<ImageReference> targets;
    try {
      targets = targets(spec, environment);
    } catch (IllegalArgumentException e) {
      return stalled(audit, previous, "InvalidSpec", e.getMessage());
    }
    String key = revision.revision() + "|" + audit.getMetadata().getGeneration();
    Running under = running.get(uid);
    if (under != null && under.result().isDone()) {
      running.remove(uid);
      if (under.key().equals(key)) {
        return finished(audit, previous, revision, under.result(), interval);
      }
      under = null; // judged with an older revision or spec: audit again
    }
    if (under != null) {
      return UpdateControl.<SignerAudit>noUpdate().rescheduleAfter(Duration.ofMinutes(1)); // its completion triggers a reconcile
    }
    Instant last = previous.lastAuditTime == null ? null : Instant.parse(previous.lastAuditTime);
    boolean due = !revision.revision().equals(previous.revision) || !Objects.equals(previous.observedGeneration, audit.getMetadata().getGeneration())
        || last == null || !Instant.now().isBefore(last.plus(interval));
    if (!due) {
      return UpdateControl.<SignerAudit>noUpdate().rescheduleAfter(Duration.between(Instant.now(), last.plus(interval)).plusSeconds(1));
    }
    Map<String, RegistryCredentials> credentials;
    SSLContext tls;
    try {
      credentials = credentials(namespace, spec);
      tls = tls(spec.certificateAuthority);
    } catch (IllegalArgumentException e) {
      return stalled(audit, previous, "InvalidSpec", e.getMessage());
    }
    int maxImages = spec.maxImagesPerRepository == null ? 1000 : spec.maxImagesPerRepository;
    java.util.concurrent.CompletableFuture<Report> audit_ = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> run(environment, targets, credentials, tls, maxImages), pool);
    running.put(uid, new Running(key, audit_, Instant.now()));
    // once done (not just before): the reconcile it triggers must find the result complete
    audit_.whenComplete((report, failure) -> triggers.propagateEvent(id));
    return UpdateControl.<SignerAudit>noUpdate().rescheduleAfter(Duration.ofMinutes(1));
  }

  /** The audit, one client per registry host (each with its own credentials), every host checked against the egress rules. */
  private Report run(AcceptedEnvironment environment, List<ImageReference> targets, Map<String, RegistryCredentials> credentials, SSLContext tls,
      int maxImages) {
    OciRegistryClient.HostCheck check = host -> {
      try {
        addresses.check(host);
      } catch (SourceException e) {
        throw new RegistryException(e.getMessage());
      }
    };
    OciRegistryClient.Limits limits = new OciRegistryClient.Limits(OciRegistryClient.Limits.DEFAULT.maxManifestBytes(),
        OciRegistryClient.Limits.DEFAULT.maxBlobBytes(), maxImages, OciRegistryClient.Limits.DEFAULT.timeout());
    List<io.trustsync.audit.SignerAudit.Repository> repositories = new ArrayList<>();
    Instant now = Instant.now();
    Map<String, RegistryCredentials> exchanged = new LinkedHashMap<>();
    for (ImageReference target : targets) {
      RegistryCredentials credential = credentials.getOrDefault(target.registry(), RegistryCredentials.ANONYMOUS);
      if (credential == AZURE) {
        try {
          credential = exchanged.computeIfAbsent(target.registry(), registry -> acr(registry, tls, limits, check));
        } catch (IllegalStateException e) {
          repositories.add(new io.trustsync.audit.SignerAudit.Repository(target.toString(), List.of(), Map.of(), 0, 0, 0, e.getMessage()));
          continue;
        }
      }
      OciRegistryClient client = new OciRegistryClient(tls, credential, false, limits, check);
      repositories.addAll(io.trustsync.audit.SignerAudit.run(environment, new SignatureScanner(client, 100), List.of(target), now).repositories());
    }
    return new Report(environment.name(), now.toString(), List.copyOf(repositories));
  }

  /** The operator's Entra ID token for ACR, exchanged at the registry for its refresh token. */
  private RegistryCredentials acr(String registry, SSLContext tls, OciRegistryClient.Limits limits, OciRegistryClient.HostCheck check) {
    try {
      String entra = azure.token(io.trustsync.operator.azure.AzureClusters.ACR_SCOPE).token();
      String refresh = new OciRegistryClient(tls, RegistryCredentials.ANONYMOUS, false, limits, check)
          .acrRefreshToken(registry, azure.tenantId(), entra);
      return new RegistryCredentials.Basic(OciRegistryClient.ACR_REFRESH_TOKEN_USER, refresh);
    } catch (io.trustsync.operator.azure.AzureClusters.AzureException | RegistryException e) {
      throw new IllegalStateException(e.getMessage());
    }
  }

  private UpdateControl<SignerAudit> finished(SignerAudit audit, SignerAuditStatus previous, AcceptedRevision revision, Future<Report> result,
      Duration interval) {
    Report report;
    try {
      report = result.get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
      String message = "the audit failed: " + (cause == null ? e.getMessage() : cause.getMessage());
      return write(audit, previous, carried(audit, previous), Conditions.READY, false, "AuditFailed", message, Duration.ofMinutes(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UpdateControl.noUpdate();
    }
    SignerAuditStatus status = new SignerAuditStatus();
    status.observedGeneration = audit.getMetadata().getGeneration();
    status.revision = revision.revision();
    status.lastAuditTime = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    SignerAuditStatus.Summary summary = new SignerAuditStatus.Summary();
    summary.images = report.images();
    summary.unsigned = report.unsigned();
    summary.failing = report.failing();
    summary.unexpectedSigners = report.unexpectedSigners();
    summary.passing = (int) report.repositories().stream().flatMap(r -> r.images().stream())
        .filter(i -> i.state() == io.trustsync.audit.SignerAudit.State.PASSES).count();
    status.summary = summary;
    Set<String> seenBefore = announced.computeIfAbsent(audit.getMetadata().getUid(), k -> ConcurrentHashMap.newKeySet());
    previous.unexpected.forEach(u -> seenBefore.add(u.image + "|" + u.signer));
    int eventsLeft = MAX_EVENTS_PER_RUN;
    String key = audit.getMetadata().getNamespace() + "/" + audit.getMetadata().getName();
    List<String> problems = new ArrayList<>();
    for (io.trustsync.audit.SignerAudit.Repository repository : report.repositories()) {
      SignerAuditStatus.RepositoryStatus r = new SignerAuditStatus.RepositoryStatus();
      r.repository = repository.repository();
      r.images = repository.images().size();
      r.unsigned = repository.unsigned();
      r.failing = repository.failing();
      r.unexpectedSigners = repository.unexpectedSigners();
      r.problem = shorter(repository.problem());
      if (repository.problem() != null) {
        problems.add(r.problem);
      }
      repository.imagesBySigner().entrySet().stream().limit(MAX_SIGNERS).forEach(e -> {
        SignerAuditStatus.SignerCount count = new SignerAuditStatus.SignerCount();
        count.signer = e.getKey();
        count.images = e.getValue();
        r.signers.add(count);
      });
      status.repositories.add(r);
      if (repository.problem() == null) {
        // a repository that could not be read keeps its last figures: an alert does not clear because the registry failed
        metrics.audit(key, repository.repository(), repository.images().size(), repository.unsigned(), repository.failing(),
            repository.unexpectedSigners(), repository.imagesBySigner());
      }
      for (io.trustsync.audit.SignerAudit.Image image : repository.images()) {
        for (String signer : image.unexpected()) {
          if (status.unexpected.size() < MAX_UNEXPECTED) {
            SignerAuditStatus.UnexpectedSigner u = new SignerAuditStatus.UnexpectedSigner();
            u.image = image.reference();
            u.repository = repository.repository();
            u.signer = signer;
            status.unexpected.add(u);
          }
          if (seenBefore.size() < 10_000 && seenBefore.add(image.reference() + "|" + signer) && eventsLeft-- > 0) {
            events.warning(audit, "UnexpectedSigner", shorter(signer) + " signed " + image.reference() + ", and expected-signers.yaml of "
                + report.environment() + " does not expect it for " + repository.repository());
          }
        }
      }
    }
    metrics.auditRun(key, Instant.now());
    metrics.auditRepositories(key, report.repositories().stream().map(io.trustsync.audit.SignerAudit.Repository::repository).toList());
    boolean ready = problems.isEmpty();
    String message = ready ? report.images() + " image(s) audited: " + summary.unexpectedSigners + " unexpected signer(s), " + summary.unsigned
        + " unsigned, " + summary.failing + " failing the policy" : String.join("; ", problems);
    message = message.length() > 1000 ? message.substring(0, 1000) + "…" : message;
    status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
        .set(Conditions.READY, ready, ready ? "Audited" : "RegistryError", message)
        .set(Conditions.STALLED, false, ready ? "Audited" : "RegistryError", "")
        .set(UNEXPECTED, summary.unexpectedSigners > 0, summary.unexpectedSigners > 0 ? "UnexpectedSigner" : "AsExpected",
            summary.unexpectedSigners > 0 ? status.unexpected.getFirst().signer + " signed " + status.unexpected.getFirst().image
                + (summary.unexpectedSigners > 1 ? " (and " + (summary.unexpectedSigners - 1) + " more)" : "") : "")
        .build();
    audit.setStatus(status);
    return UpdateControl.patchStatus(audit).rescheduleAfter(ready ? interval : Duration.ofMinutes(5));
  }

  private static String shorter(String text) {
    return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
  }

  /** The named repositories (or the environment's registry scopes), each on a registry those scopes name. */
  static List<ImageReference> targets(SignerAuditSpec spec, AcceptedEnvironment environment) {
    List<String> scopes = io.trustsync.audit.SignerAudit.registryScopes(environment);
    Set<String> registries = new LinkedHashSet<>();
    scopes.forEach(s -> registries.add(s.substring(0, s.indexOf('/'))));
    List<String> named = spec.repositories == null || spec.repositories.isEmpty() ? scopes : spec.repositories;
    if (named.isEmpty()) {
      throw new IllegalArgumentException("spec.repositories is empty and environment " + environment.name()
          + " has no registry scope but '*': name the repositories to audit");
    }
    List<ImageReference> targets = new ArrayList<>();
    for (int i = 0; i < named.size(); i++) {
      ImageReference reference;
      try {
        reference = ImageReference.parse(named.get(i));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("spec.repositories[" + i + "]: " + e.getMessage());
      }
      if (!registries.contains(reference.registry())) {
        throw new IllegalArgumentException("spec.repositories[" + i + "]: registry " + reference.registry() + " is not one the trust policy"
            + " of environment " + environment.name() + " names (" + String.join(", ", registries) + "); the audit contacts only those");
      }
      targets.add(reference);
    }
    return targets;
  }

  private Map<String, RegistryCredentials> credentials(String namespace, SignerAuditSpec spec) {
    Map<String, RegistryCredentials> byRegistry = new LinkedHashMap<>();
    for (int i = 0; i < spec.credentials.size(); i++) {
      SignerAuditSpec.RegistryCredential credential = spec.credentials.get(i);
      String at = "spec.credentials[" + i + "]";
      boolean workloadIdentity = Boolean.TRUE.equals(credential.azureWorkloadIdentity);
      if (credential.registry == null || workloadIdentity == (credential.secretRef != null)) {
        throw new IllegalArgumentException(at + " needs registry and either secretRef.name or azureWorkloadIdentity: true");
      }
      if (workloadIdentity) {
        if (azure == null) {
          throw new IllegalArgumentException(at + ".azureWorkloadIdentity: the operator has no Azure identity; start it with"
              + " --azure-workload-identity (docs/azure.md)");
        }
        if (!tenancy.isPlatform(namespace)) {
          throw new IllegalArgumentException(at + ".azureWorkloadIdentity acts with the operator's Azure identity, so it is honoured only"
              + " in the platform namespaces " + tenancy.platformNamespaces().stream().sorted().toList() + "; give this namespace a pull"
              + " token Secret instead");
        }
        byRegistry.put(credential.registry, AZURE);
        continue;
      }
      if (credential.secretRef.name == null) {
        throw new IllegalArgumentException(at + " needs secretRef.name");
      }
      Secret secret;
      try {
        secret = secrets.get(namespace, credential.secretRef.name).orElse(null);
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        throw new IllegalArgumentException(at + ": " + (e.getCode() == 403 ? "the operator may not read Secrets in namespace " + namespace
            + "; grant it there (see docs/security.md, tenant namespaces)" : "cannot read Secret " + credential.secretRef.name + " (HTTP " + e.getCode() + ")"));
      }
      if (secret == null) {
        throw new IllegalArgumentException(at + ": Secret " + namespace + "/" + credential.secretRef.name + " does not exist");
      }
      byRegistry.put(credential.registry, credential(at, credential.registry, SecretData.of(secret)));
    }
    return byRegistry;
  }

  /** A dockerconfigjson Secret's entry for the registry, or username and password, or token. */
  static RegistryCredentials credential(String at, String registry, Map<String, String> data) {
    if (data.containsKey(".dockerconfigjson")) {
      try {
        JsonNode auth = new com.fasterxml.jackson.databind.ObjectMapper().readTree(data.get(".dockerconfigjson")).path("auths").path(registry);
        if (auth.isMissingNode()) {
          throw new IllegalArgumentException(at + ": the Secret's .dockerconfigjson has no auths entry for " + registry);
        }
        if (auth.hasNonNull("username") && auth.hasNonNull("password")) {
          return new RegistryCredentials.Basic(auth.get("username").asText(), auth.get("password").asText());
        }
        String decoded = new String(Base64.getDecoder().decode(auth.path("auth").asText("")), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException(at + ": the .dockerconfigjson entry for " + registry + " has no username and password");
        }
        return new RegistryCredentials.Basic(decoded.substring(0, colon), decoded.substring(colon + 1));
      } catch (java.io.IOException | IllegalArgumentException e) {
        throw e instanceof IllegalArgumentException iae && iae.getMessage().startsWith(at) ? iae
            : new IllegalArgumentException(at + ": the Secret's .dockerconfigjson is not valid JSON with auths");
      }
    }
    if (data.containsKey("token")) {
      return new RegistryCredentials.Bearer(data.get("token").strip());
    }
    if (data.containsKey("username") && data.containsKey("password")) {
      return new RegistryCredentials.Basic(data.get("username"), data.get("password"));
    }
    throw new IllegalArgumentException(at + ": the Secret holds neither .dockerconfigjson, token, nor username and password");
  }

  static SSLContext tls(String pem) {
    return pem == null || pem.isBlank() ? null : io.trustsync.registry.PrivateCa.trusting(pem.getBytes(StandardCharsets.UTF_8),
        "spec.certificateAuthority");
  }

  private static SignerAuditStatus carried(SignerAudit audit, SignerAuditStatus previous) {
    SignerAuditStatus status = new SignerAuditStatus();
    status.observedGeneration = previous.observedGeneration;
    status.revision = previous.revision;
    status.lastAuditTime = previous.lastAuditTime;
    status.summary = previous.summary;
    status.repositories = previous.repositories;
    status.unexpected = previous.unexpected;
    return status;
  }

  private UpdateControl<SignerAudit> stalled(SignerAudit audit, SignerAuditStatus previous, String reason, String message) {
    SignerAuditStatus status = carried(audit, previous);
    status.observedGeneration = audit.getMetadata().getGeneration();
    status.conditions = new Conditions(previous.conditions, status.observedGeneration, Instant.now())
        .set(Conditions.READY, false, reason, message).set(Conditions.STALLED, true, reason, message).build();
    return patch(audit, previous, status, Duration.ofMinutes(10));
  }

  private UpdateControl<SignerAudit> write(SignerAudit audit, SignerAuditStatus previous, SignerAuditStatus status, String type, boolean value,
      String reason, String message, Duration after) {
    status.conditions = new Conditions(previous.conditions, audit.getMetadata().getGeneration(), Instant.now())
        .set(type, value, reason, message).set(Conditions.STALLED, false, reason, "").build();
    return patch(audit, previous, status, after);
  }

  private static UpdateControl<SignerAudit> patch(SignerAudit audit, SignerAuditStatus previous, SignerAuditStatus status, Duration after) {
    var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    if (audit.getStatus() != null && mapper.valueToTree(previous).equals(mapper.valueToTree(status))) {
      return UpdateControl.<SignerAudit>noUpdate().rescheduleAfter(after);
    }
    audit.setStatus(status);
    return UpdateControl.patchStatus(audit).rescheduleAfter(after);
  }

  public void close() {
    pool.shutdownNow();
  }
}
