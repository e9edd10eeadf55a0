package io.trustsync.rendering;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The output contracts (PRODUCT.md §3): which resources an admission controller reads. */
public enum Profile {
  NATIVE("native") {
    @Override
    public Rendering render(RenderRequest request) {
      return NativeRendering.render(request);
    }
  },
  RATIFY_V1("ratify-v1") {
    @Override
    public Rendering render(RenderRequest request) {
      return RatifyV1Rendering.render(request);
    }
  },
  RATIFY_V2("ratify-v2") {
    @Override
    public Rendering render(RenderRequest request) {
      return RatifyV2Rendering.render(request);
    }
  },
  FLUX("flux") {
    @Override
    public Rendering render(RenderRequest request) {
      return FluxRendering.render(request);
    }
  },
  NOTATION("notation") {
    @Override
    public Rendering render(RenderRequest request) {
      return NotationRendering.render(request);
    }
  };

  private final String id;

  Profile(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public abstract Rendering render(RenderRequest request);

  public static Optional<Profile> of(String id) {
    return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
  }

  public static String names() {
    return Arrays.stream(values()).map(Profile::id).collect(Collectors.joining(", "));
  }
}
