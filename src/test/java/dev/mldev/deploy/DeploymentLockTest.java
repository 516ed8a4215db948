package dev.mldev.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentLockTest {
    @TempDir
    Path state;

    @Test
    void aSecondChangeWaitsThenSaysWhoHoldsTheLock() {
        DeploymentStore store = new DeploymentStore(state);
        List<String> told = new ArrayList<>();
        try (DeploymentLock held = store.lock("ocr", Duration.ofSeconds(1), told::add)) {
            assertThatThrownBy(() -> store.lock("ocr", Duration.ofMillis(300), told::add))
                    .isInstanceOf(MldevException.class)
                    .hasMessage("another mldev (pid " + ProcessHandle.current().pid()
                            + ") has been changing deployment 'ocr' for over 300ms");
            assertThat(told)
                    .containsExactly("waiting for another mldev (pid "
                            + ProcessHandle.current().pid() + ") that is changing deployment 'ocr'");
            store.lock("other", Duration.ZERO, told::add).close(); // other deployments are not held up
        }
        store.lock("ocr", Duration.ZERO, told::add).close();
    }

    @Test
    void theLockStillHoldsAfterItsHolderRemovedTheDeployment() throws Exception {
        DeploymentStore store = new DeploymentStore(state);
        DeploymentLock undeploy = store.lock("ocr", Duration.ZERO, m -> {});
        CompletableFuture<DeploymentLock> waiting =
                CompletableFuture.supplyAsync(() -> store.lock("ocr", Duration.ofSeconds(10), m -> {}));
        Thread.sleep(200);
        store.remove("ocr"); // deletes the lock file too
        undeploy.close();
        try (DeploymentLock deploy = waiting.get(10, TimeUnit.SECONDS)) {
            assertThatThrownBy(() -> store.lock("ocr", Duration.ZERO, m -> {})).isInstanceOf(MldevException.class);
        }
    }
}
