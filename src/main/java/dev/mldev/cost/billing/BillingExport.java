package dev.mldev.cost.billing;

import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.TableResult;
import dev.mldev.Environment;
import dev.mldev.MldevException;
import dev.mldev.cloud.CloudEndpoints;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads actual spend from a Cloud Billing export table in BigQuery ({@code status --billing-table}): the
 * project's cost net of credits per service over the last 30 days. The table name is checked against the
 * PROJECT.DATASET.TABLE form before it goes into the query; the project and time go in as query parameters.
 */
public final class BillingExport {
    /** gcloud's variable for BigQuery's address; an {@code http://} URL means a local fake (no credentials sent). */
    public static final String ENDPOINT_OVERRIDE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_BIGQUERY";

    public static final Duration PERIOD = Duration.ofDays(30);
    private static final Pattern TABLE =
            Pattern.compile("([a-z][a-z0-9-]{4,28}[a-z0-9])\\.([A-Za-z0-9_]{1,1024})\\.([A-Za-z0-9_$-]{1,1024})");

    private final BigQuery bigQuery;
    private final Clock clock;

    BillingExport(BigQuery bigQuery, Clock clock) {
        this.bigQuery = bigQuery;
        this.clock = clock;
    }

    /** A BigQuery client billed to the export table's project, at the public address or the override. */
    public static BillingExport connect(Environment env, String table, Clock clock) {
        BigQueryOptions.Builder options =
                BigQueryOptions.newBuilder().setProjectId(checkTable(table).split("\\.")[0]);
        Optional<String> override = env.get(ENDPOINT_OVERRIDE);
        if (override.isPresent()) {
            URI url = CloudEndpoints.overrideUrl(ENDPOINT_OVERRIDE, override.get(), "https://bigquery.googleapis.com/");
            options.setHost(url.getScheme() + "://" + url.getAuthority());
            if ("http".equals(url.getScheme())) {
                options.setCredentials(NoCredentials.getInstance());
            }
        }
        return new BillingExport(options.build().getService(), clock);
    }

    /** Checks PROJECT.DATASET.TABLE (exit 2 otherwise) and returns it. */
    public static String checkTable(String table) {
        if (table == null || !TABLE.matcher(table).matches()) {
            throw MldevException.usage(
                    "'" + table + "' is not a BigQuery table name like PROJECT.DATASET.TABLE",
                    "name the Cloud Billing export table, e.g. my-project.billing.gcp_billing_export_v1_XXXXXX");
        }
        return table;
    }

    /** Checks the table name and that a project is given, before anything is called (exit 2). */
    public static void checkRequest(String table, String project) {
        checkTable(table);
        if (project == null || project.isBlank()) {
            throw MldevException.usage(
                    "--billing-table needs the project whose spend to show",
                    "pass --project, or set MLDEV_PROJECT (or GOOGLE_CLOUD_PROJECT, CLOUDSDK_CORE_PROJECT)");
        }
    }

    /** Spend of {@code project} per service over the last 30 days. */
    public ActualSpend spend(String table, String project) {
        checkTable(table);
        Instant since = clock.instant().minus(PERIOD);
        String sql = "SELECT service.description AS service, currency,"
                + " SUM(cost) + SUM(IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) c), 0)) AS cost"
                + " FROM `" + table + "`"
                + " WHERE project.id = @project AND usage_start_time >= @since"
                + " GROUP BY service, currency ORDER BY cost DESC";
        QueryJobConfiguration query = QueryJobConfiguration.newBuilder(sql)
                .setUseLegacySql(false)
                .addNamedParameter("project", QueryParameterValue.string(project))
                .addNamedParameter(
                        "since",
                        QueryParameterValue.timestamp(since.getEpochSecond() * 1_000_000L + since.getNano() / 1_000))
                .build();
        try {
            TableResult result = bigQuery.query(query);
            List<ActualSpend.ServiceSpend> services = new ArrayList<>();
            String currency = "USD";
            for (FieldValueList row : result.iterateAll()) {
                currency = row.get("currency").isNull()
                        ? currency
                        : row.get("currency").getStringValue();
                services.add(new ActualSpend.ServiceSpend(
                        row.get("service").getStringValue(),
                        new BigDecimal(row.get("cost").getStringValue())));
            }
            return new ActualSpend(table, since, currency, services);
        } catch (BigQueryException e) {
            throw MldevException.remote(
                    "cannot read the billing export " + table + ": " + e.getMessage(),
                    "check the table name, and that the account may run BigQuery jobs in that project"
                            + " (roles/bigquery.jobUser) and read the dataset (roles/bigquery.dataViewer)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted while reading the billing export", null);
        }
    }
}
