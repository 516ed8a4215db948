package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistryAuthTest {
    @Test
    void autoSendsApplicationDefaultCredentialsToGooglesRegistriesOnly() {
        assertThat(RegistryAuth.AUTO.usesAdc("us-central1-docker.pkg.dev")).isTrue();
        assertThat(RegistryAuth.AUTO.usesAdc("europe-west4-docker.pkg.dev")).isTrue();
        assertThat(RegistryAuth.AUTO.usesAdc("gcr.io")).isTrue();
        assertThat(RegistryAuth.AUTO.usesAdc("eu.gcr.io")).isTrue();
        assertThat(RegistryAuth.AUTO.usesAdc("registry-1.docker.io")).isFalse();
        assertThat(RegistryAuth.AUTO.usesAdc("127.0.0.1:5000")).isFalse();
        assertThat(RegistryAuth.AUTO.usesAdc("evil-docker.pkg.dev.example.com")).isFalse();
        assertThat(RegistryAuth.ADC.usesAdc("127.0.0.1:5000")).isTrue();
        assertThat(RegistryAuth.NONE.usesAdc("us-central1-docker.pkg.dev")).isFalse();
    }
}
