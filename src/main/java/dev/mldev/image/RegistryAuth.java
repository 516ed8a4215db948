package dev.mldev.image;

/** Which credential mldev sends to a registry. */
public enum RegistryAuth {
    /** Application Default Credentials for Google's registries (Artifact Registry, Container Registry), none elsewhere. */
    AUTO,
    /** Application Default Credentials, whatever the registry. */
    ADC,
    /** No credential: a registry that allows anonymous pushes, such as a local test registry. */
    NONE;

    /** Whether a registry host gets the Application Default Credentials' token under this mode. */
    public boolean usesAdc(String registryHost) {
        return switch (this) {
            case ADC -> true;
            case NONE -> false;
            case AUTO -> isGoogleRegistry(registryHost);
        };
    }

    static boolean isGoogleRegistry(String host) {
        String name = host.toLowerCase(java.util.Locale.ROOT).replaceFirst(":\\d+$", "");
        return name.endsWith("-docker.pkg.dev") || name.equals("gcr.io") || name.endsWith(".gcr.io");
    }
}
