package dev.mldev.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.DeploymentState;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.TargetKind;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status service without Google Cloud: scopes and regions decided, the local inventory priced, the gate applied. */
class CostStatusTest {
    @TempDir
    Path home;

    final List<String> notices = new ArrayList<>();
    final List<String> asked = new ArrayList<>();

    private CostStatus status() {
        return new CostStatus(
                new Environment(Map.of(), home), Clock.fixed(TestPrices.NOW, ZoneOffset.UTC), notices::add);
    }

    private Deployments deployments(Set<String> regions) {
        return new Deployments() {
            @Override
            public Inventory local() {
                asked.add("local");
                return () ->
                        List.of(Billable.builder("ocr", TargetKind.LOCAL, Billable.Kind.LOCAL, DeploymentState.WARM)
                                .replicasNow(1)
                                .build());
            }

            @Override
            public Set<String> cloudRegions() {
                asked.add("regions");
                return regions;
            }
        };
    }

    private static CostStatus.Request request(CostStatus.Scope scope, String project, BigDecimal maxIdleCost) {
        return new CostStatus.Request(scope, project, List.of(), false, maxIdleCost, null, null);
    }

    @Test
    void withoutAProjectOnlyTheLocalDeploymentsAreListedAndGated() {
        CostStatus.Result result =
                status().report(request(null, null, BigDecimal.ZERO), deployments(Set.of("us-central1")));
        assertThat(result.report().rows())
                .extracting(row -> row.billable().name())
                .containsExactly("ocr");
        assertThat(result.verdict().passed()).isTrue();
        assertThat(result.spend()).isNull();
        assertThat(asked).containsExactly("local");
    }

    @Test
    void vertexWithNoRegionKnownIsAUsageErrorWhenAskedForAndANoticeOtherwise() {
        assertThatThrownBy(() ->
                        status().report(request(CostStatus.Scope.vertex, "my-project", null), deployments(Set.of())))
                .isInstanceOf(MldevException.class)
                .hasMessage("--target vertex needs the regions to list")
                .extracting(e -> ((MldevException) e).kind())
                .isEqualTo(MldevException.Kind.USAGE);

        CostStatus.Result all = status().report(request(null, "my-project", null), deployments(Set.of()));
        assertThat(all.report().rows()).hasSize(1);
        assertThat(notices).containsExactly("Vertex AI not listed: no region known; pass --region R or --all-regions");
    }

    @Test
    void aNegativeLimitIsRefusedBeforeAnythingIsListed() {
        assertThatThrownBy(() -> status().report(request(null, null, new BigDecimal("-1")), deployments(Set.of())))
                .isInstanceOf(MldevException.class);
        assertThat(asked).isEmpty();
    }
}
