package dev.mldev.deploy;

import dev.mldev.DeploymentState;
import dev.mldev.TargetKind;
import java.time.Instant;

/**
 * What a deployment is doing now.
 *
 * @param idleSince      when the last request was served, or null if unknown
 * @param requestsServed predictions served since it started, or -1 if unknown
 */
public record DeploymentStatus(
        String name, TargetKind target, String url, DeploymentState state, Instant idleSince, long requestsServed) {}
