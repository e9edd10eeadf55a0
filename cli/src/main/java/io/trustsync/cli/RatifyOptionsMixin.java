package io.trustsync.cli;

import io.trustsync.rendering.ProfileOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The ratify-v2 profile's options, shared by render and diff. */
final class RatifyOptionsMixin {
  @Option(names = "--ratify-api-version", paramLabel = "VERSION",
      description = "ratify-v2: config.ratify.sh/v2beta1 (default) or the deprecated config.ratify.sh/v2alpha1, for clusters on older Ratify.")
  String ratifyApiVersion;

  @Option(names = "--registry-credential", paramLabel = "PROVIDER[,KEY=VALUE...]",
      description = "ratify-v2: the registry store's credential provider: static (default: anonymous), azure[,clientID=..][,tenantID=..] "
          + "or aws[,region=..]. Never a password.")
  String registryCredential;

  ProfileOptions options(CommandLine.Model.CommandSpec spec) {
    return AcceptedInput.profileOptions(spec, ratifyApiVersion, registryCredential);
  }
}
