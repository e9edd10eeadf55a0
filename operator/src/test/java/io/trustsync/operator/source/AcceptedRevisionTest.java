package io.trustsync.operator.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustsync.validation.AcceptedEnvironment;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AcceptedRevisionTest {
  @Test
  void environmentsKeepTheirSortedOrderWhateverTheJvmsHashSeed() {
    Map<String, AcceptedEnvironment> environments = new HashMap<>();
    List<String> names = IntStream.range(0, 30).mapToObj(i -> String.format("env-%02d", 29 - i)).toList();
    names.forEach(n -> environments.put(n, new AcceptedEnvironment(n, null, List.of())));
    AcceptedRevision revision = new AcceptedRevision("ns/source", "abc", "sha256:0", Instant.EPOCH, Instant.EPOCH, environments);
    assertThat(revision.environments().keySet()).containsExactlyElementsOf(names.stream().sorted().toList());
  }
}
