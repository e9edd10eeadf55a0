package io.trustsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module layout, checked on the compiled classes the reactor built before this module: no
 * package cycle anywhere in the production code, each module depending only on the ones below it,
 * and the production jar (what {@code bin/trustsync operator} and the image run) free of the test
 * kit.
 */
class ArchitectureTest {
  /** Modules bottom-up; a module may use only the ones before it. Working directory is it/. */
  private static final List<String> MODULES = List.of("api", "core", "git", "operator", "cli");

  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "api", Set.of(),
      "core", Set.of("api"),
      "git", Set.of("api", "core"),
      "operator", Set.of("api", "core", "git"),
      "cli", Set.of("api", "core", "git", "operator"));

  private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.trustsync[\\w.]*)\\s+->\\s+(io\\.trustsync[\\w.]*)\\s");

  @Test
  void productionPackagesFormNoCycle() throws IOException {
    Map<String, Set<String>> graph = packageGraph();
    assertThat(graph).as("jdeps found the production packages").containsKeys("io.trustsync.findings", "io.trustsync.operator");
    assertThat(cycles(graph)).as("package cycles (each list is one strongly connected group)").isEmpty();
  }

  @Test
  void eachModuleUsesOnlyTheModulesBelowIt() throws IOException {
    Map<String, String> owner = new HashMap<>();
    for (String module : MODULES) {
      for (String pkg : packagesOf(module)) {
        owner.put(pkg, module);
      }
    }
    List<String> violations = new ArrayList<>();
    packageGraph().forEach((from, targets) -> {
      for (String to : targets) {
        String a = owner.get(from);
        String b = owner.get(to);
        if (a != null && b != null && !a.equals(b) && !ALLOWED.get(a).contains(b)) {
          violations.add(from + " (" + a + ") -> " + to + " (" + b + ")");
        }
      }
    });
    assertThat(violations).isEmpty();
  }

  @Test
  void theProductionJarCarriesNoTestKit() throws IOException {
    Path cli = Path.of("../cli/target");
    try (JarFile jar = new JarFile(cli.resolve("trustsync.jar").toFile())) {
      List<String> testKit = jar.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("io/trustsync/local/") || n.startsWith("io/trustsync/bench/") || n.contains("GitServer"))
          .toList();
      assertThat(testKit).isEmpty();
      String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
      assertThat(classPath).contains("trustsync-operator").doesNotContain("trustsync-testkit").doesNotContain("kube-api-test");
    }
    try (Stream<Path> lib = Files.list(cli.resolve("lib"))) {
      assertThat(lib.map(p -> p.getFileName().toString()))
          .isNotEmpty()
          .noneMatch(n -> n.startsWith("trustsync-testkit") || n.startsWith("junit") || n.startsWith("kube-api-test"));
    }
  }

  private static Set<String> packagesOf(String module) throws IOException {
    Path classes = Path.of("..", module, "target", "classes");
    Set<String> packages = new TreeSet<>();
    try (Stream<Path> files = Files.walk(classes)) {
      files.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
        Path dir = classes.relativize(p.getParent());
        packages.add(dir.toString().replace('/', '.').replace('\\', '.'));
      });
    }
    return packages;
  }

  /** Package-level dependencies among io.trustsync packages, from jdeps on every module's classes. */
  private static Map<String, Set<String>> packageGraph() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
    Map<String, Set<String>> graph = new TreeMap<>();
    // one run per module: jdeps names archives by their last path element, and every one is "classes"
    for (String module : MODULES) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      String classes = Path.of("..", module, "target", "classes").toString();
      int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none", "-e", "io\\.trustsync\\..*", classes);
      assertThat(rc).as("jdeps on %s: %s", classes, err).isZero();
      for (String line : out.toString().split("\n")) {
        Matcher edge = EDGE.matcher(line);
        if (edge.find()) {
          graph.computeIfAbsent(edge.group(1), k -> new TreeSet<>());
          graph.computeIfAbsent(edge.group(2), k -> new TreeSet<>());
          if (!edge.group(1).equals(edge.group(2))) {
            graph.get(edge.group(1)).add(edge.group(2));
          }
        }
      }
    }
    return graph;
  }

  /** Strongly connected groups of more than one package (Tarjan). */
  static List<List<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<List<String>> groups = new ArrayList<>();
    int[] counter = {0};
    for (String node : graph.keySet()) {
      if (!index.containsKey(node)) {
        connect(node, graph, index, low, stack, onStack, groups, counter);
      }
    }
    return groups;
  }

  private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
      Deque<String> stack, Set<String> onStack, List<List<String>> groups, int[] counter) {
    index.put(node, counter[0]);
    low.put(node, counter[0]);
    counter[0]++;
    stack.push(node);
    onStack.add(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      if (!index.containsKey(next)) {
        connect(next, graph, index, low, stack, onStack, groups, counter);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      List<String> group = new ArrayList<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        group.add(member);
      } while (!member.equals(node));
      if (group.size() > 1) {
        groups.add(group.stream().sorted().toList());
      }
    }
  }

  @Test
  void cycleFinderFindsACycle() {
    Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
    assertThat(cycles(new TreeMap<>(graph))).containsExactly(List.of("a", "b", "c"));
  }
}
