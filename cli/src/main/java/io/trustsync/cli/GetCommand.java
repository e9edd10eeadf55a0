package io.trustsync.cli;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trustsync.crd.distribution.TrustDistribution;
import io.trustsync.crd.membercluster.MemberCluster;
import io.trustsync.crd.policysource.PolicySource;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Lists policy sources, member clusters and distributions on the hub with their state, one line each.",
    footer = {
      "",
      "Examples:",
      "  trustsync get all",
      "  trustsync get distributions -n team-a",
      "  trustsync get members -A",
      "",
      "Exit codes: 0 listed, 2 usage or cluster error."
    })
final class GetCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "WHAT", description = "sources, members, distributions or all.")
  String what;

  @CommandLine.Mixin HubOptions hub;

  @Option(names = {"-A", "--all-namespaces"}, description = "Every namespace.")
  boolean allNamespaces;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> kinds = switch (what) {
      case "sources", "source", "policysources" -> List.of("sources");
      case "members", "member", "memberclusters", "clusters" -> List.of("members");
      case "distributions", "distribution", "trustdistributions" -> List.of("distributions");
      case "all" -> List.of("sources", "members", "distributions");
      default -> throw new CommandLine.ParameterException(spec.commandLine(),
          "'" + what + "' is not one of sources, members, distributions, all");
    };
    PrintWriter out = spec.commandLine().getOut();
    try (KubernetesClient client = hub.client(spec.commandLine())) {
      boolean first = true;
      for (String kind : kinds) {
        if (!first) {
          out.println();
        }
        first = false;
        Table table = switch (kind) {
          case "sources" -> sources(client);
          case "members" -> members(client);
          default -> distributions(client);
        };
        table.print(out, kinds.size() > 1 ? kind : null, allNamespaces ? "every namespace" : hub.namespace());
      }
    }
    out.flush();
    return 0;
  }

  private Table sources(KubernetesClient client) {
    var resources = client.resources(PolicySource.class);
    List<PolicySource> items = (allNamespaces ? resources.inAnyNamespace() : resources.inNamespace(hub.namespace())).list().getItems();
    Table table = new Table(List.of("NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"));
    for (PolicySource source : items) {
      var status = source.getStatus();
      table.add(source.getMetadata().getNamespace(), List.of(source.getMetadata().getName(),
          status == null || status.lastAcceptedRevision == null ? "-" : shortRevision(status.lastAcceptedRevision),
          String.valueOf(source.getSpec() != null && Boolean.TRUE.equals(source.getSpec().suspend)),
          ready(status == null ? null : status.conditions), message(status == null ? null : status.conditions)));
    }
    return table;
  }

  private Table members(KubernetesClient client) {
    var resources = client.resources(MemberCluster.class);
    List<MemberCluster> items = (allNamespaces ? resources.inAnyNamespace() : resources.inNamespace(hub.namespace())).list().getItems();
    Table table = new Table(List.of("NAME", "REACHABLE", "VERSION", "LABELS", "READY", "MESSAGE"));
    for (MemberCluster member : items) {
      var status = member.getStatus();
      var labels = member.getMetadata().getLabels();
      table.add(member.getMetadata().getNamespace(), List.of(member.getMetadata().getName(),
          status == null || status.reachable == null ? "-" : String.valueOf(status.reachable),
          status == null || status.serverVersion == null ? "-" : status.serverVersion,
          labels == null || labels.isEmpty() ? "-" : String.join(",", labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList()),
          ready(status == null ? null : status.conditions), message(status == null ? null : status.conditions)));
    }
    return table;
  }

  private Table distributions(KubernetesClient client) {
    var resources = client.resources(TrustDistribution.class);
    List<TrustDistribution> items = (allNamespaces ? resources.inAnyNamespace() : resources.inNamespace(hub.namespace())).list().getItems();
    Table table = new Table(List.of("NAME", "ENVIRONMENT", "REVISION", "SYNCED", "SUSPENDED", "READY", "MESSAGE"));
    for (TrustDistribution distribution : items) {
      var status = distribution.getStatus();
      var spec = distribution.getSpec();
      table.add(distribution.getMetadata().getNamespace(), List.of(distribution.getMetadata().getName(),
          spec == null || spec.environment == null ? "-" : spec.environment,
          status == null || status.revision == null ? "-" : shortRevision(status.revision),
          status == null || status.syncedClusters == null ? "-" : status.syncedClusters,
          String.valueOf(spec != null && Boolean.TRUE.equals(spec.suspend)),
          ready(status == null ? null : status.conditions), message(status == null ? null : status.conditions)));
    }
    return table;
  }

  static String shortRevision(String revision) {
    return revision.length() > 12 ? revision.substring(0, 12) : revision;
  }

  static Condition condition(List<Condition> conditions, String type) {
    return conditions == null ? null : conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static String ready(List<Condition> conditions) {
    Condition ready = condition(conditions, "Ready");
    return ready == null ? "Unknown" : ready.getStatus();
  }

  private static String message(List<Condition> conditions) {
    Condition ready = condition(conditions, "Ready");
    if (ready == null) {
      return "not reconciled yet";
    }
    String text = ready.getMessage() == null || ready.getMessage().isBlank() ? ready.getReason() : ready.getMessage();
    return text == null ? "" : text.replace('\n', ' ');
  }

  /** Columns padded to the widest cell; NAMESPACE first when the rows come from several namespaces. */
  private final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(List<String> header) {
      this.header = header;
    }

    void add(String namespace, List<String> cells) {
      List<String> row = new ArrayList<>();
      if (allNamespaces) {
        row.add(namespace);
      }
      row.addAll(cells);
      rows.add(row);
    }

    void print(PrintWriter out, String title, String scope) {
      if (title != null) {
        out.println(title + ":");
      }
      List<String> columns = new ArrayList<>();
      if (allNamespaces) {
        columns.add("NAMESPACE");
      }
      columns.addAll(header);
      if (rows.isEmpty()) {
        out.println("no " + (title != null ? title : what) + " in " + scope);
        return;
      }
      int[] widths = new int[columns.size()];
      for (int i = 0; i < columns.size(); i++) {
        widths[i] = columns.get(i).length();
        for (List<String> row : rows) {
          widths[i] = Math.max(widths[i], row.get(i).length());
        }
      }
      printRow(out, columns, widths);
      rows.forEach(row -> printRow(out, row, widths));
    }

    private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cells.size(); i++) {
        String cell = cells.get(i);
        // the last column (the message) is not padded
        line.append(i == cells.size() - 1 ? cell : String.format("%-" + widths[i] + "s   ", cell));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
