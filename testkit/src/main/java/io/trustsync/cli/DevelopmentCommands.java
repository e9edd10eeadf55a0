package io.trustsync.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** The development entry point's commands: {@code demo} and {@code bench}. */
public final class DevelopmentCommands implements ExtraCommands {
  @Override
  public Map<String, Object> commands() {
    Map<String, Object> commands = new LinkedHashMap<>();
    commands.put("demo", new DemoCommand());
    commands.put("bench", new BenchCommand());
    return commands;
  }
}
