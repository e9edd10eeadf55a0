package io.trustsync.rendering;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The output contracts (PRODUCT.md §3): which resources an admission controller reads. */
public enum Profile {
  NATIVE("native", NativeRendering::render),
  RATIFY_V1("ratify-v1", RatifyV1Rendering::render),
  RATIFY_V2("ratify-v2", RatifyV2Rendering::render),
  FLUX("flux", FluxRendering::render),
  NOTATION("notation", NotationRendering::render);

  private final String id;
  private final Function<RenderRequest, Rendering> renderer;

  Profile(String id, Function<RenderRequest, Rendering> renderer) {
    this.id = id;
    this.renderer = renderer;
  }

  public String id() {
    return id;
  }

  public Rendering render(RenderRequest request) {
    return renderer.apply(request);
  }

  public static Optional<Profile> of(String id) {
    return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
  }

  public static String names() {
    return Arrays.stream(values()).map(Profile::id).collect(Collectors.joining(", "));
  }
}
