package dev.mldev.deploy;

import dev.mldev.TargetKind;
import dev.mldev.cost.Deployments;
import dev.mldev.cost.Inventory;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/** The deployments in the store, as {@code mldev status} prices them; the store is read once, when first needed. */
public final class StoredDeployments implements Deployments {
    private final DeploymentStore store;
    private final Consumer<String> notice;
    private final Function<List<DeploymentRecord>, Inventory> local;
    private List<DeploymentRecord> records;

    /**
     * @param notice one-line messages for stderr (the records that cannot be read)
     * @param local  the inventory of the local deployments among the records
     */
    public StoredDeployments(
            DeploymentStore store, Consumer<String> notice, Function<List<DeploymentRecord>, Inventory> local) {
        this.store = store;
        this.notice = notice;
        this.local = local;
    }

    @Override
    public Inventory local() {
        return local.apply(records());
    }

    @Override
    public Set<String> cloudRegions() {
        Set<String> regions = new LinkedHashSet<>();
        records().stream()
                .filter(r -> r.target() != TargetKind.LOCAL && r.detail("region") != null)
                .forEach(r -> regions.add(r.detail("region")));
        return regions;
    }

    private List<DeploymentRecord> records() {
        if (records == null) {
            records = store.list();
            store.unreadable()
                    .forEach(skipped -> notice.accept("skipped: " + skipped.getMessage() + "; " + skipped.hint()));
        }
        return records;
    }
}
