package dev.mldev.cloud;

import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

/** Cloud Storage clients for a {@link CloudContext}: its project, credentials, host and trusted CAs. */
public final class StorageClients {
    private StorageClients() {
    }

    public static Storage create(CloudContext cloud) {
        return StorageOptions.newBuilder()
                .setProjectId(cloud.project())
                .setCredentials(cloud.credentials())
                .setHost(cloud.endpoints().storageHost())
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setHttpTransportFactory(cloud.endpoints()::httpTransport).build())
                .build()
                .getService();
    }
}
