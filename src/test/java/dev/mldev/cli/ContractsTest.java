package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MainClass;
import dev.mldev.MldevException;
import dev.mldev.TargetKind;
import org.junit.jupiter.api.Test;

/** The contract types shared by the packages, checked against what they stand for. */
class ContractsTest {
    @Test
    void theMainClassConstantNamesTheCli() {
        assertThat(MainClass.NAME).isEqualTo(Cli.class.getName());
    }

    @Test
    void targetKindsAreReadByTheIdUsersType() {
        assertThat(TargetKind.of("vertex-pipeline")).isEqualTo(TargetKind.VERTEX_PIPELINE);
        assertThat(TargetKind.LOCAL).hasToString("local");
        assertThatThrownBy(() -> TargetKind.of("gke"))
                .isInstanceOf(MldevException.class)
                .hasMessage("unknown target 'gke'")
                .satisfies(e -> assertThat(((MldevException) e).hint())
                        .isEqualTo("use --target local, vertex or vertex-pipeline"));
    }

    @Test
    void everyFailureKindHasItsOwnExitCode() {
        assertThat(ExitCodes.of(MldevException.Kind.FAILURE)).isEqualTo(1);
        assertThat(ExitCodes.of(MldevException.Kind.USAGE)).isEqualTo(2);
        assertThat(ExitCodes.of(MldevException.Kind.REMOTE)).isEqualTo(4);
    }
}
