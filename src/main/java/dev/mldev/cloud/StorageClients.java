package dev.mldev.cloud;

import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

/**
 * Cloud Storage clients for the commands that run where mldev is installed: credentials, host and trusted CAs as
 * gcloud would use them. ({@code serve} reads its bundle with {@link GcsObjectReader} instead.)
 */
public final class StorageClients {
    private StorageClients() {}

    public static Storage create(CloudContext cloud) {
        CloudEndpoints endpoints = cloud.endpoints();
        return StorageOptions.newBuilder()
                .setCredentials(cloud.credentials())
                .setHost(endpoints.storageHost())
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setHttpTransportFactory(endpoints::httpTransport)
                        .build())
                .setProjectId(cloud.project())
                .build()
                .getService();
    }
}
