package dev.mldev.deploy;

import dev.mldev.MldevException;
import java.nio.file.Path;

/**
 * A deployment record that cannot be read (truncated, edited by hand, from a newer mldev). Only that deployment
 * is affected: listings skip it, and {@code undeploy NAME} can still stop what it started.
 */
public final class UnreadableRecord extends MldevException {
    private final String name;

    UnreadableRecord(String name, Path file, String reason) {
        super(
                Kind.FAILURE,
                "the record of deployment '" + name + "' (" + file + ") is unreadable: " + reason,
                "'mldev undeploy " + name + " --yes' stops its local server, if it has one, and removes the record");
        this.name = name;
    }

    public String name() {
        return name;
    }
}
