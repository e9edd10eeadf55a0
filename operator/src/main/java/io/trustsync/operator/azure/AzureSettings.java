package io.trustsync.operator.azure;

import java.net.URI;
import java.nio.file.Path;

/**
 * How the operator reaches Azure with its workload identity. The defaults come from what the AKS
 * workload identity webhook injects (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE,
 * AZURE_AUTHORITY_HOST); the endpoints are Azure's public cloud unless set.
 *
 * @param certificateAuthorityFile extra CA certificates (PEM) trusted for Azure's endpoints, for a
 *     TLS-inspecting proxy or a private cloud; null: the JVM's roots only
 */
public record AzureSettings(String tenantId, String clientId, Path federatedTokenFile, URI authorityHost,
    URI resourceManagerEndpoint, Path certificateAuthorityFile) {
  public static final URI PUBLIC_AUTHORITY_HOST = URI.create("https://login.microsoftonline.com/");
  public static final URI PUBLIC_RESOURCE_MANAGER = URI.create("https://management.azure.com/");
}
