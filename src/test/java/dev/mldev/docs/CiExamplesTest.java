package dev.mldev.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The CI examples of docs/ci.md: each file parses as YAML and has the structure its CI system requires, the job
 * installs the cost archive, authenticates with Workload Identity Federation, runs the gate and keeps its JSON; the
 * shell in it parses; docs/ci.md shows each file as it is. (No CI service is reachable here to run them.)
 */
class CiExamplesTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Path GITHUB = Path.of("docs/ci/github-actions.yml");
    static final Path GITLAB = Path.of("docs/ci/gitlab-ci.yml");
    static final String GATE = "mldev status --json --max-idle-cost 0";
    /** GitLab's top-level keywords: every other top-level key is a job. */
    static final Set<String> GITLAB_KEYWORDS = Set.of(
            "default",
            "include",
            "stages",
            "variables",
            "workflow",
            "image",
            "services",
            "cache",
            "before_script",
            "after_script");

    static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText)
                .toList();
    }

    @Test
    void theGithubWorkflowHasWhatActionsRequiresAndRunsTheGate() throws Exception {
        JsonNode workflow = YAML.readTree(GITHUB.toFile());
        assertThat(workflow.has("on")).as("a trigger ('on')").isTrue();
        assertThat(workflow.path("permissions").path("id-token").asText())
                .as("OIDC for federation")
                .isEqualTo("write");
        JsonNode jobs = workflow.path("jobs");
        assertThat(jobs.size()).isEqualTo(1);
        JsonNode job = jobs.elements().next();
        assertThat(job.path("runs-on").asText()).isNotBlank();
        assertThat(job.path("steps").isArray()).isTrue();

        List<String> runs = new ArrayList<>();
        List<String> uses = new ArrayList<>();
        for (JsonNode step : job.path("steps")) {
            assertThat(step.has("run") ^ step.has("uses"))
                    .as("a step has 'run' or 'uses': %s", step)
                    .isTrue();
            if (step.has("run")) {
                runs.add(step.path("run").asText());
            } else {
                uses.add(step.path("uses").asText());
                assertThat(step.path("uses").asText()).matches("[\\w.-]+/[\\w.-]+@v\\d+");
            }
        }
        assertThat(String.join("\n", runs))
                .contains("install.sh\" --from \"$archive\"")
                .contains("-cost.tar.gz")
                .contains("sha256sum --check")
                .contains(GATE + " ")
                .contains("> mldev-status.json");
        assertThat(uses).contains("google-github-actions/auth@v2", "actions/upload-artifact@v4");
        JsonNode upload = StreamSupport.stream(job.path("steps").spliterator(), false)
                .filter(s -> s.path("uses").asText().startsWith("actions/upload-artifact"))
                .findFirst()
                .orElseThrow();
        assertThat(upload.path("if").asText()).as("kept when the gate fails").isEqualTo("always()");
        assertThat(upload.path("with").path("path").asText()).isEqualTo("mldev-status.json");
        JsonNode auth = StreamSupport.stream(job.path("steps").spliterator(), false)
                .filter(s -> s.path("uses").asText().startsWith("google-github-actions/auth"))
                .findFirst()
                .orElseThrow();
        assertThat(auth.path("with").path("workload_identity_provider").asText())
                .matches("projects/\\d+/locations/global/workloadIdentityPools/[\\w-]+/providers/[\\w-]+");
        for (String run : runs) {
            assertParsesAsBash(run);
        }
    }

    @Test
    void theGitlabJobHasWhatGitlabRequiresAndRunsTheGate() throws Exception {
        JsonNode file = YAML.readTree(GITLAB.toFile());
        List<String> jobs = new ArrayList<>();
        file.fieldNames().forEachRemaining(name -> {
            if (!GITLAB_KEYWORDS.contains(name)) {
                jobs.add(name);
            }
        });
        assertThat(jobs).containsExactly("mldev-idle-cost");
        JsonNode job = file.path("mldev-idle-cost");
        assertThat(job.path("image").asText()).isNotBlank();
        assertThat(job.path("script").isArray()).isTrue();
        for (JsonNode line : job.path("script")) {
            assertThat(line.isTextual())
                    .as("GitLab takes script lines as strings: %s", line)
                    .isTrue();
        }
        assertThat(job.path("id_tokens").path("GCP_ID_TOKEN").path("aud").asText())
                .startsWith("https://iam.googleapis.com/projects/");
        assertThat(job.path("artifacts").path("when").asText())
                .as("kept when the gate fails")
                .isEqualTo("always");
        assertThat(texts(job.path("artifacts").path("paths"))).containsExactly("mldev-status.json");

        String script = String.join("\n", texts(job.path("script")));
        assertThat(script)
                .contains("install.sh\" --from \"$archive\"")
                .contains("-cost.tar.gz")
                .contains("sha256sum --check")
                .contains("\"type\": \"external_account\"")
                .contains("GOOGLE_APPLICATION_CREDENTIALS")
                .contains(GATE + " ")
                .contains("> mldev-status.json");
        assertParsesAsBash(script);
    }

    /** The credential configuration the GitLab job writes is the JSON mldev reads (variables stood in for). */
    @Test
    void theGitlabCredentialConfigurationIsValidJson() throws Exception {
        String script = String.join(
                "\n",
                texts(YAML.readTree(GITLAB.toFile()).path("mldev-idle-cost").path("script")));
        String json = script.substring(script.indexOf("<<JSON\n") + 7, script.indexOf("\nJSON"));
        JsonNode config = new ObjectMapper().readTree(json.replace("$", "X"));
        assertThat(config.path("type").asText()).isEqualTo("external_account");
        assertThat(config.path("credential_source").path("file").asText()).isNotBlank();
        assertThat(config.path("service_account_impersonation_url").asText()).endsWith(":generateAccessToken");
    }

    @Test
    void theGuideShowsEachFileAsItIs() throws IOException {
        String guide = Files.readString(Path.of("docs/ci.md"));
        assertThat(guide)
                .contains("```yaml\n" + Files.readString(GITHUB) + "```")
                .contains("```yaml\n" + Files.readString(GITLAB) + "```")
                .contains("(ci/github-actions.yml)")
                .contains("(ci/gitlab-ci.yml)");
    }

    static void assertParsesAsBash(String script) throws IOException, InterruptedException {
        Process bash =
                new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
        bash.getOutputStream().write(script.getBytes());
        bash.getOutputStream().close();
        String output = new String(bash.getInputStream().readAllBytes());
        assertThat(bash.waitFor()).as("bash -n: %s\n%s", output, script).isZero();
    }
}
