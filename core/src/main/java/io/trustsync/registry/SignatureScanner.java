package io.trustsync.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the images of a repository and their Notation signatures: each tag resolved to its
 * manifest digest (tags of one digest grouped), each digest's referrers of artifact type
 * {@value OciRegistryClient#NOTATION_SIGNATURE}, and each signature manifest's envelope (its one
 * layer, {@code application/jose+json} or {@code application/cose}). A problem with one image is
 * recorded on it and the scan goes on.
 */
public final class SignatureScanner {
  public static final String JWS = "application/jose+json";
  public static final String COSE = "application/cose";

  /** One signature: the manifest that carries it, its envelope's media type, the envelope. */
  public record Signature(String manifestDigest, String mediaType, byte[] envelope) {}

  /** One image (a manifest digest), the tags that name it, its signatures, and what went wrong reading them. */
  public record Image(ImageReference reference, List<String> tags, List<Signature> signatures, List<String> problems) {}

  private final OciRegistryClient client;
  private final int maxSignaturesPerImage;

  public SignatureScanner(OciRegistryClient client, int maxSignaturesPerImage) {
    this.client = client;
    this.maxSignaturesPerImage = maxSignaturesPerImage;
  }

  /** A repository (every tag), or one image by tag or digest. */
  public List<Image> scan(ImageReference target) throws RegistryException {
    List<Image> images = new ArrayList<>();
    scan(target, images::add);
    return images;
  }

  /**
   * The same, one image at a time: {@code each} gets an image with its envelopes, which need not
   * be kept, so a repository of ten thousand images never holds ten thousand envelopes at once.
   */
  public void scan(ImageReference target, java.util.function.Consumer<Image> each) throws RegistryException {
    Map<String, List<String>> tagsByDigest = new LinkedHashMap<>();
    List<String> repositoryProblems = new ArrayList<>();
    if (target.digest() != null) {
      tagsByDigest.put(target.digest(), new ArrayList<>());
    } else {
      List<String> tags;
      if (target.tag() != null) {
        tags = List.of(target.tag());
      } else {
        OciRegistryClient.Tags listed = client.tags(target);
        tags = listed.tags();
        if (listed.truncated()) {
          repositoryProblems.add("the repository has more tags than the limit; only the first " + tags.size() + " were read");
        }
        if (!listed.refused().isEmpty()) {
          repositoryProblems.add("tags that are not valid tag names were left out: " + listed.refused());
        }
      }
      for (String tag : tags) {
        if (ImageReference.isReferrersTag(tag)) {
          continue;
        }
        try {
          OciRegistryClient.Manifest manifest = client.manifest(new ImageReference(target.registry(), target.repository(), tag, null));
          tagsByDigest.computeIfAbsent(manifest.digest(), d -> new ArrayList<>()).add(tag);
        } catch (RegistryException e) {
          // one tag gone (deleted mid-scan) or refused costs that tag, not the repository
          each.accept(new Image(new ImageReference(target.registry(), target.repository(), tag, null), List.of(tag), List.of(),
              List.of(e.getMessage())));
        }
      }
    }
    boolean first = true;
    for (Map.Entry<String, List<String>> entry : tagsByDigest.entrySet()) {
      Image image = image(target.withDigest(entry.getKey()), entry.getValue());
      if (first && !repositoryProblems.isEmpty()) {
        List<String> problems = new ArrayList<>(repositoryProblems);
        problems.addAll(image.problems());
        image = new Image(image.reference(), image.tags(), image.signatures(), List.copyOf(problems));
      }
      first = false;
      each.accept(image);
    }
  }

  private Image image(ImageReference image, List<String> tags) {
    List<Signature> signatures = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try {
      List<OciRegistryClient.Descriptor> referrers = client.referrers(image, OciRegistryClient.NOTATION_SIGNATURE);
      if (referrers.size() > maxSignaturesPerImage) {
        problems.add(referrers.size() + " signatures; only the first " + maxSignaturesPerImage + " are read");
        referrers = referrers.subList(0, maxSignaturesPerImage);
      }
      for (OciRegistryClient.Descriptor referrer : referrers) {
        try {
          OciRegistryClient.Manifest manifest = client.manifest(image.withDigest(referrer.digest()));
          JsonNode layers = manifest.json().path("layers");
          if (layers.size() != 1) {
            problems.add("signature manifest " + referrer.digest() + " has " + layers.size() + " layers, not the one envelope Notation writes");
            continue;
          }
          String mediaType = layers.get(0).path("mediaType").asText();
          if (!mediaType.equals(JWS) && !mediaType.equals(COSE)) {
            problems.add("signature manifest " + referrer.digest() + " carries " + mediaType + ", neither " + JWS + " nor " + COSE);
            continue;
          }
          signatures.add(new Signature(referrer.digest(), mediaType, client.blob(image, layers.get(0).path("digest").asText())));
        } catch (RegistryException e) {
          problems.add(e.getMessage());
        }
      }
    } catch (RegistryException e) {
      problems.add(e.getMessage());
    }
    return new Image(image, List.copyOf(tags), List.copyOf(signatures), List.copyOf(problems));
  }
}
