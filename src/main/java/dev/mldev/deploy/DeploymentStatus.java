package dev.mldev.deploy;

import java.time.Instant;

/**
 * What a deployment is doing now.
 *
 * @param state          {@code loaded} (model in memory), {@code zero} (scaled to zero / unloaded), {@code warm},
 *                       {@code running} or {@code down}
 * @param idleSince      when the last request was served, or null if unknown
 * @param requestsServed predictions served since it started, or -1 if unknown
 */
public record DeploymentStatus(String name, String target, String url, String state, Instant idleSince,
                               long requestsServed) {
}
