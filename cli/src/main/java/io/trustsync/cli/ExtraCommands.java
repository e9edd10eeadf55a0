package io.trustsync.cli;

import java.util.Map;

/**
 * Subcommands that live outside the runtime jar: the test kit's {@code demo} and {@code bench},
 * which start API servers and a Git server. Found with {@link java.util.ServiceLoader}, so
 * {@code bin/trustsync demo} reaches them while the jar a deployment runs does not contain them.
 */
public interface ExtraCommands {
  /** Name to picocli command object. */
  Map<String, Object> commands();
}
