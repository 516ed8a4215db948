package dev.mldev.cloud;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import dev.mldev.Environment;

/** Cloud Storage clients: credentials, host and trusted CAs as gcloud would use them. */
public final class StorageClients {
    private StorageClients() {}

    public static Storage create(CloudContext cloud) {
        return create(cloud.credentials(), cloud.endpoints(), cloud.project());
    }

    /** Without a project (a serving container reading its bundle): Application Default Credentials only. */
    public static Storage create(Environment env) {
        CloudEndpoints endpoints = CloudEndpoints.from(env);
        return create(AdcCredentials.load(env, endpoints), endpoints, null);
    }

    private static Storage create(GoogleCredentials credentials, CloudEndpoints endpoints, String project) {
        StorageOptions.Builder options = StorageOptions.newBuilder()
                .setCredentials(credentials)
                .setHost(endpoints.storageHost())
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setHttpTransportFactory(endpoints::httpTransport)
                        .build());
        if (project != null) {
            options.setProjectId(project);
        }
        return options.build().getService();
    }
}
