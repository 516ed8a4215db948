package dev.mldev.cost;

import dev.mldev.DeploymentState;
import dev.mldev.TargetKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that may bill by the hour, as a target reports it: a local server, a Vertex AI endpoint's deployed
 * model, a running pipeline, custom or batch prediction job. Targets fill it in; the cost engine prices it. Optional facts are null
 * when the target does not know them (replicas now, idle since, scale-to-zero period).
 *
 * @param name            what the user calls it (deployment name, endpoint display name, job name)
 * @param target          where it lives
 * @param kind            what sort of thing bills
 * @param state           its state now
 * @param replicasNow     nodes running now, or null when unknown
 * @param region          Google Cloud region, or null for local
 * @param machineType     e.g. {@code g2-standard-8}, or null for local
 * @param acceleratorType Vertex AI accelerator name (e.g. {@code NVIDIA_L4}), or null for none
 * @param acceleratorCount accelerators per node (0 for none)
 * @param minReplicas     nodes kept with no traffic (0 means scale to zero)
 * @param maxReplicas     most nodes it scales up to
 * @param scaleToZeroIdle idle period before it scales to zero, or null when it never does or it is unknown
 * @param idleSince       time of the last prediction, or null when unknown
 * @param url             where predictions go, or null
 * @param requestsServed  predictions served since it started, or null when unknown
 * @param instance        a Cloud Run service's instance size (CPU and memory limits), or null for other kinds
 */
public record Billable(
        String name,
        TargetKind target,
        Kind kind,
        DeploymentState state,
        Integer replicasNow,
        String region,
        String machineType,
        String acceleratorType,
        int acceleratorCount,
        int minReplicas,
        int maxReplicas,
        Duration scaleToZeroIdle,
        Instant idleSince,
        String url,
        Long requestsServed,
        ServiceInstance instance) {

    /** A Cloud Run instance's CPU and memory limits, which it bills by (its GPUs are the accelerator fields). */
    public record ServiceInstance(java.math.BigDecimal cpus, java.math.BigDecimal memoryGib) {}

    /** What sort of thing bills, which decides how it bills with no traffic. */
    public enum Kind {
        /** A server on this machine: no cloud bill. */
        LOCAL,
        /** A model deployed to an endpoint with dedicated resources: bills min replicas x node price when idle. */
        ENDPOINT,
        /** A Vertex AI Pipelines run: bills its node while it runs, whatever the traffic. */
        PIPELINE_JOB,
        /** A Vertex AI custom job: bills its nodes while it runs. */
        CUSTOM_JOB,
        /** A Vertex AI batch prediction job: bills its replicas while it runs. */
        BATCH_JOB,
        /** A Cloud Run service: bills each instance (CPU, memory, GPU) while it runs; min instances when idle. */
        SERVICE;

        public boolean isJob() {
            return this == PIPELINE_JOB || this == CUSTOM_JOB || this == BATCH_JOB;
        }
    }

    public Billable {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        if (acceleratorCount < 0 || minReplicas < 0 || maxReplicas < 0) {
            throw new IllegalArgumentException("negative count in " + name);
        }
    }

    public static Builder builder(String name, TargetKind target, Kind kind, DeploymentState state) {
        return new Builder(name, target, kind, state);
    }

    /** Fills the optional facts of a {@link Billable} by name, since most targets know only some of them. */
    public static final class Builder {
        private final String name;
        private final TargetKind target;
        private final Kind kind;
        private final DeploymentState state;
        private Integer replicasNow;
        private String region;
        private String machineType;
        private String acceleratorType;
        private int acceleratorCount;
        private int minReplicas;
        private int maxReplicas;
        private Duration scaleToZeroIdle;
        private Instant idleSince;
        private String url;
        private Long requestsServed;
        private ServiceInstance instance;

        private Builder(String name, TargetKind target, Kind kind, DeploymentState state) {
            this.name = name;
            this.target = target;
            this.kind = kind;
            this.state = state;
        }

        public Builder replicasNow(Integer replicas) {
            this.replicasNow = replicas;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** Machine type and accelerators of one node; {@code acceleratorType} may be null for a CPU node. */
        public Builder machine(String machineType, String acceleratorType, int acceleratorCount) {
            this.machineType = machineType;
            this.acceleratorType = acceleratorType;
            this.acceleratorCount = acceleratorType == null ? 0 : acceleratorCount;
            return this;
        }

        public Builder replicas(int min, int max) {
            this.minReplicas = min;
            this.maxReplicas = max;
            return this;
        }

        public Builder scaleToZeroIdle(Duration idle) {
            this.scaleToZeroIdle = idle;
            return this;
        }

        public Builder idleSince(Instant lastPrediction) {
            this.idleSince = lastPrediction;
            return this;
        }

        public Builder url(String where) {
            this.url = where;
            return this;
        }

        public Builder requestsServed(Long count) {
            this.requestsServed = count;
            return this;
        }

        /** A Cloud Run instance's size; the accelerators go in {@link #machine} with a null machine type. */
        public Builder instance(ServiceInstance size) {
            this.instance = size;
            return this;
        }

        public Billable build() {
            return new Billable(
                    name,
                    target,
                    kind,
                    state,
                    replicasNow,
                    region,
                    machineType,
                    acceleratorType,
                    acceleratorCount,
                    minReplicas,
                    maxReplicas,
                    scaleToZeroIdle,
                    idleSince,
                    url,
                    requestsServed,
                    instance);
        }
    }
}
