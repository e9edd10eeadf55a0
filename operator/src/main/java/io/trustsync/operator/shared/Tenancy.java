package io.trustsync.operator.shared;

import java.util.Set;

/**
 * Who is the platform team. Resources in a platform namespace may make the hub itself a member
 * ({@code MemberCluster spec.hub: true}) and distribute into any of its namespaces; a tenant
 * namespace may do neither, unless {@code tenantHubMembers} allows tenants hub members that
 * write into the tenant's own namespace only. Every reference (Secret, PolicySource,
 * MemberCluster) resolves in the namespace of the resource that holds it, whoever wrote it.
 */
public record Tenancy(Set<String> platformNamespaces, boolean tenantHubMembers) {
  public Tenancy {
    platformNamespaces = Set.copyOf(platformNamespaces);
  }

  public static Tenancy of(String... namespaces) {
    return new Tenancy(Set.of(namespaces), false);
  }

  public boolean isPlatform(String namespace) {
    return platformNamespaces.contains(namespace);
  }
}
