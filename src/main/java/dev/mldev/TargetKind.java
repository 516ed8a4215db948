package dev.mldev;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a deployment lives. The id is what users type after {@code --target} and what deployment records, status
 * rows and JSON carry; every package uses this type instead of the string.
 */
public enum TargetKind {
    /** A background {@code mldev serve} on this machine. */
    LOCAL("local"),
    /** A Vertex AI dedicated endpoint that scales to zero. */
    VERTEX("vertex"),
    /** One Vertex AI Pipelines run per prediction. */
    VERTEX_PIPELINE("vertex-pipeline"),
    /** A Cloud Run GPU service that scales to zero. */
    CLOUD_RUN("cloud-run");

    private final String id;

    TargetKind(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    /** The kind with this id, or a usage error naming the ids there are. */
    @JsonCreator
    public static TargetKind of(String id) {
        return Arrays.stream(values())
                .filter(kind -> kind.id.equals(id == null ? null : id.toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(() -> MldevException.usage("unknown target '" + id + "'", "use --target " + ids()));
    }

    /** "local, vertex or vertex-pipeline". */
    public static String ids() {
        String all = Arrays.stream(values()).map(TargetKind::id).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return last < 0 ? all : all.substring(0, last) + " or " + all.substring(last + 2);
    }

    @Override
    public String toString() {
        return id;
    }
}
