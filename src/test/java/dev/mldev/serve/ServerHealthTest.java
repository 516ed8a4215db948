package dev.mldev.serve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerHealthTest {
    @Test
    void whatServeWritesTheLocalTargetReads() {
        ServerHealth health = new ServerHealth("ok", true, 12, 3, 4242, "bb9450cc6274");
        assertThat(health.toJson())
                .contains(
                        "\"model_loaded\":true",
                        "\"idle_seconds\":12",
                        "\"requests_served\":3",
                        "\"pid\":4242",
                        "\"bundle_version\":\"bb9450cc6274\"");
        assertThat(ServerHealth.parse(health.toJson())).contains(health);
    }

    @Test
    void aBodyFromAnotherKindOfServerIsNoHealth() {
        assertThat(ServerHealth.parse("{\"status\":\"ok\",\"model_loaded\":false}"))
                .isEmpty(); // names no pid
        assertThat(ServerHealth.parse("<html>It works!</html>")).isEmpty();
        assertThat(ServerHealth.parse("")).isEmpty();
    }
}
