package dev.mpflow.cli.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mpflow.HaltPolicy;
import dev.mpflow.RetrySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid workflow files, read to exact values. */
class WorkflowFileLoaderTest {
    @TempDir
    Path dir;

    /** An agent, for files whose test is about something else: every workflow file needs one. */
    private static final String AGENT = "agents:\n  - name: a\n    command: cat\n";

    /** Loads {@code yaml}, with {@link #AGENT} added when it has no agents of its own. */
    private WorkflowDefinition load(String fileName, String yaml) throws IOException, WorkflowFileException {
        Path file = dir.resolve(fileName);
        Files.writeString(file, yaml.startsWith("agents:") || yaml.contains("\nagents:") ? yaml : AGENT + yaml);
        return WorkflowFileLoader.load(file);
    }

    private static List<TaskSpec> tasks(WorkflowDefinition definition) {
        List<TaskSpec> tasks = new ArrayList<>();
        definition.tasks().forEach(tasks::add);
        return tasks;
    }

    private static TaskSpec task(String name, String input) {
        return new TaskSpec(name, input, 0, Optional.empty());
    }

    @Test
    void theSecretsAreTheValuesListedAndThoseFromTheEnvironmentSaveTooShortOnes() throws Exception {
        Path file = dir.resolve("secret.yaml");
        Files.writeString(file, """
                name: job-${env.SHORT}
                secrets:
                  - ${env.KEY}
                  - literal-value
                agents:
                  - name: a
                    command: cat ${env.TOKEN}
                tasks:
                  - name: t
                """);
        Interpolator env = new Interpolator(Map.of("TOKEN", "tok-123456", "SHORT", "ab", "KEY", "key-9876")::get,
                System::getProperty);

        WorkflowDefinition wf = WorkflowFileLoader.load(file, env, Programs.system());

        assertThat(wf.agents().get(0).command()).containsExactly("cat", "tok-123456");
        assertThat(wf.name()).isEqualTo("job-ab");
        assertThat(wf.secrets().size()).isEqualTo(3);
        assertThat(wf.secrets().mask("tok-123456 key-9876 literal-value ab")).isEqualTo("*** *** *** ab");
        assertThat(load("none.yaml", "tasks:\n  - name: t\n").secrets().isEmpty()).isTrue();
    }

    @Test
    void everyFieldRoundTrips() throws Exception {
        Path file = Path.of(WorkflowFileLoaderTest.class.getResource("/workflows/checksums.yaml").toURI());
        Path workflows = file.getParent();

        WorkflowDefinition wf = WorkflowFileLoader.load(file);

        assertThat(wf.file()).isEqualTo(file.toAbsolutePath().normalize());
        assertThat(wf.name()).isEqualTo("checksums");
        assertThat(wf.maxWorkers()).hasValue(4);
        assertThat(wf.autosave()).contains(true);
        assertThat(wf.store()).contains(workflows.resolve(".mpflow/runs.db"));
        assertThat(wf.retries()).hasValue(2);
        assertThat(wf.retry()).contains(RetrySettings.builder().maxAttempts(3).delay(Duration.ofMillis(250))
                .maxDelay(Duration.ofSeconds(10)).multiplier(3).build());
        assertThat(wf.timeout()).contains(Duration.ofSeconds(30));
        assertThat(wf.mode()).isEqualTo(Mode.FANOUT);
        assertThat(wf.agents()).containsExactly(
                new AgentSpec("sha256", List.of("sha256sum", "{}"), 14),
                new AgentSpec("words", List.of("wc", "-w"), 16));
        String data = workflows.resolve("data").toString();
        assertThat(tasks(wf)).containsExactly(
                new TaskSpec("greet", "hello world", 7, Optional.of(Duration.ofMillis(1500))),
                new TaskSpec("alice", "alice", -1, Optional.empty()),
                new TaskSpec("bob", "bob", -1, Optional.empty()),
                new TaskSpec("carol", "carol", -1, Optional.empty()),
                task(data + "/one.txt", data + "/one.txt"),
                task(data + "/two.txt", data + "/two.txt"));
        assertThat(wf.taskCount()).isEqualTo(6);
    }

    @Test
    void leftOutSettingsAreEmpty() throws Exception {
        WorkflowDefinition wf = load("minimal.yaml", """
                tasks:
                  - name: only
                """);

        assertThat(wf.name()).isEqualTo("minimal");
        assertThat(wf.maxWorkers()).isEmpty();
        assertThat(wf.autosave()).isEmpty();
        assertThat(wf.store()).isEmpty();
        assertThat(wf.retries()).isEmpty();
        assertThat(wf.retry()).isEmpty();
        assertThat(wf.timeout()).isEmpty();
        assertThat(wf.halt()).isEmpty();
        assertThat(wf.deadline()).isEmpty();
        assertThat(wf.grace()).isEmpty();
        assertThat(wf.captureLimit()).isEmpty();
        assertThat(wf.maxResultSize()).isEmpty();
        assertThat(wf.mode()).isEqualTo(Mode.PIPELINE);
        assertThat(wf.agents()).containsExactly(new AgentSpec("a", List.of("cat"), 2));
        assertThat(wf.agents().get(0).retry()).isEqualTo(RetryOverrides.NONE);
        assertThat(wf.agents().get(0).timeout()).isEmpty();
        assertThat(tasks(wf)).containsExactly(task("only", ""));
    }

    @Test
    void defaultNameDropsYmlToo() throws Exception {
        assertThat(load("my.flow.yml", "maxWorkers: 1\n").name()).isEqualTo("my.flow");
        assertThat(load("plain", "maxWorkers: 1\n").name()).isEqualTo("plain");
    }

    @Test
    void tasksMayBeLeftOut() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", "name: nothing\n");
        assertThat(wf.taskCount()).isZero();
        assertThat(wf.tasks()).isEmpty();
    }

    @Test
    void emptyTasksAreAnEmptyList() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", "tasks:\n");
        assertThat(wf.taskCount()).isZero();
        assertThat(wf.tasks()).isEmpty();
    }

    @Test
    void retriesAloneKeepTheDefaultDelays() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", "retries: 0\n");
        assertThat(wf.retries()).hasValue(0);
        assertThat(wf.retry()).contains(RetrySettings.NONE);
    }

    @Test
    void retryBlockAloneKeepsTheDefaultAttempts() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", """
                retry:
                  delay: 0ms
                  multiplier: 1.5
                """);
        assertThat(wf.retries()).isEmpty();
        assertThat(wf.retry()).contains(RetrySettings.builder().delay(Duration.ZERO).multiplier(1.5).build());
        assertThat(wf.retry().orElseThrow().maxAttempts()).isEqualTo(3);
    }

    @Test
    void taskEntriesCarryTheirOwnRetrySettingsToEachOfTheirTasks() throws Exception {
        Files.writeString(dir.resolve("lines.txt"), "x\ny\n");
        WorkflowDefinition wf = load("wf.yaml", """
                tasks:
                  - name: plain
                  - name: once
                    retries: 0
                  - inputs: lines.txt
                    retries: 4
                    retry:
                      delay: 0ms
                      abortOnExitCodes: [3]
                """);
        RetryOverrides lines = new RetryOverrides(OptionalInt.of(4), Optional.of(Duration.ZERO), Optional.empty(),
                OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(List.of(3)), Optional.empty(), Optional.empty());
        RetryOverrides once = new RetryOverrides(OptionalInt.of(0), Optional.empty(), Optional.empty(),
                OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(tasks(wf)).containsExactly(task("plain", ""), new TaskSpec("once", "", 0, Optional.empty(), once),
                new TaskSpec("x", "x", 0, Optional.empty(), lines), new TaskSpec("y", "y", 0, Optional.empty(), lines));
        assertThat(wf.taskRetries()).containsExactly(new TaskRetry(1, 6, once), new TaskRetry(2, 8, lines));
        assertThat(lines.applyTo(RetrySettings.DEFAULT)).isEqualTo(RetrySettings.builder().maxAttempts(5)
                .delay(Duration.ZERO).abortOnExitCodes(List.of(3)).build());
    }

    @Test
    void absoluteStoreIsKept() throws Exception {
        Path store = dir.resolve("elsewhere/runs.db");
        assertThat(load("wf.yaml", "store: " + store + "\n").store()).contains(store);
    }

    @Test
    void modeIsReadEitherWay() throws Exception {
        assertThat(load("wf.yaml", "mode: pipeline\n").mode()).isEqualTo(Mode.PIPELINE);
        assertThat(load("wf.yaml", "mode: fanout\n").mode()).isEqualTo(Mode.FANOUT);
    }

    @Test
    void tasksWithoutInputAreFine() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", """
                mode: fanout
                tasks:
                  - name: a
                  - name: b
                    input:
                """);
        assertThat(tasks(wf)).containsExactly(task("a", ""), task("b", ""));
    }

    @Test
    void scalarsAreTakenAsWritten() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", """
                name: 2024
                tasks:
                  - name: 007
                    input: 1.50
                  - name: yes
                    input: "quoted: text"
                """);
        assertThat(wf.name()).isEqualTo("2024");
        assertThat(tasks(wf)).containsExactly(task("007", "1.50"), task("yes", "quoted: text"));
    }

    @Test
    void commandLinesAreSplitLikeAShell() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", """
                agents:
                  - name: shout
                    command: sh -c 'echo "$1" | tr a-z A-Z' sh {}
                  - name: escaped
                    command: "cat \\"a b\\" c\\\\ d"
                  - name: listed
                    command:
                      - cat
                      - "two words"
                      - "{}"
                """);
        assertThat(wf.agents()).containsExactly(
                new AgentSpec("shout", List.of("sh", "-c", "echo \"$1\" | tr a-z A-Z", "sh", "{}"), 2),
                new AgentSpec("escaped", List.of("cat", "a b", "c d"), 4),
                new AgentSpec("listed", List.of("cat", "two words", "{}"), 6));
    }

    @Test
    void programGivenByPathIsChecked() throws Exception {
        Path script = Files.writeString(dir.resolve("tool.sh"), "#!/bin/sh\ncat\n");
        assumeTrue(script.toFile().setExecutable(true));
        WorkflowDefinition wf = load("wf.yaml", "agents:\n  - name: tool\n    command: " + script + " {}\n");
        assertThat(wf.agents()).containsExactly(new AgentSpec("tool", List.of(script.toString(), "{}"), 2));
    }

    @Test
    void programNamedByTheInputIsNotChecked() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", "agents:\n  - name: any\n    command: \"{} --version\"\n");
        assertThat(wf.agents().get(0).command()).containsExactly("{}", "--version");
    }

    @Test
    void variablesAreExpanded() throws Exception {
        String home = System.getenv("HOME");
        assumeTrue(home != null);
        WorkflowDefinition wf = load("wf.yaml", """
                name: ${env.HOME}
                store: ${user.dir}/runs.db
                agents:
                  - name: show
                    command: cat ${java.home}/release "${env.HOME}"
                tasks:
                  - name: jvm
                    input: ${java.home}
                  - name: literal
                    input: $${env.HOME} costs $5 {}
                """);
        String javaHome = System.getProperty("java.home");
        assertThat(wf.name()).isEqualTo(home);
        assertThat(wf.store()).contains(Path.of(System.getProperty("user.dir"), "runs.db").normalize());
        assertThat(wf.agents().get(0).command()).containsExactly("cat", javaHome + "/release", home);
        assertThat(tasks(wf)).containsExactly(task("jvm", javaHome), task("literal", "${env.HOME} costs $5 {}"));
    }

    @Test
    void anEnvironmentValueStaysOneCommandWord() throws Exception {
        Interpolator fake = new Interpolator(name -> name.equals("FILE") ? "my file.txt" : null,
                System::getProperty);
        Path file = Files.writeString(dir.resolve("wf.yaml"), "agents:\n  - name: a\n    command: cat ${env.FILE}\n");
        WorkflowDefinition wf = WorkflowFileLoader.load(file, fake, Programs.system());
        assertThat(wf.agents().get(0).command()).containsExactly("cat", "my file.txt");
    }

    @Test
    void globUnderJavaHome() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", """
                tasks:
                  - glob: "${java.home}/**"
                """);
        Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath().normalize();
        List<TaskSpec> tasks = tasks(wf);
        assertThat(tasks).isNotEmpty().allSatisfy(t -> {
            assertThat(t.name()).startsWith(javaHome + "/").isEqualTo(t.input());
            assertThat(Path.of(t.name())).isRegularFile();
        });
        assertThat(wf.taskCount()).isEqualTo(tasks.size());
    }

    @Test
    void runLimitsAndSizes() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", """
                halt: soon,fail=10%
                deadline: 2h
                grace: 0s
                captureLimit: 64KiB
                maxResultSize: 1.5MB
                """);
        assertThat(wf.halt()).contains(HaltPolicy.afterFailureShare(HaltPolicy.When.SOON, 0.1));
        assertThat(wf.deadline()).contains(Duration.ofHours(2));
        assertThat(wf.grace()).contains(Duration.ZERO);
        assertThat(wf.captureLimit()).hasValue(65536);
        assertThat(wf.maxResultSize()).hasValue(1_500_000L);
        assertThat(load("wf.yaml", "halt: never\n").halt()).contains(HaltPolicy.never());
        assertThat(load("wf.yaml", "halt: now,fail=1\n").halt())
                .contains(HaltPolicy.afterFailures(HaltPolicy.When.NOW, 1));
    }

    @Test
    void everyRetryField() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", """
                retries: 4
                retry:
                  delay: 1s
                  maxDelay: 1m
                  multiplier: 3
                  jitter: 0.25
                  retryOn: [java.io.IOException, dev.mpflow.CommandFailedException]
                  abortOn: [java.io.FileNotFoundException]
                  retryOnExitCodes: [75, 111]
                  abortOnExitCodes: [2]
                  retryTimeouts: false
                  retryCrashes: false
                """);
        RetrySettings expected = RetrySettings.builder().maxAttempts(5).delay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofMinutes(1)).multiplier(3).jitter(0.25)
                .retryOnTypeNames(List.of("java.io.IOException", "dev.mpflow.CommandFailedException"))
                .abortOnTypeNames(List.of("java.io.FileNotFoundException"))
                .retryOnExitCodes(List.of(75, 111)).abortOnExitCodes(List.of(2))
                .retryTimeouts(false).retryCrashes(false).build();
        assertThat(wf.retry()).contains(expected);
    }

    @Test
    void anAgentsOwnSettingsApplyOverTheWorkflows() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", """
                mode: fanout
                retries: 1
                retry:
                  delay: 2s
                  abortOnExitCodes: [3]
                agents:
                  - name: patient
                    command: cat
                    retries: 5
                    timeout: 90s
                  - name: picky
                    command: cat
                    retry:
                      retryOnExitCodes: [4]
                      abortOnExitCodes: []
                  - name: plain
                    command: cat
                """);
        RetrySettings workflow = wf.retry().orElseThrow();
        assertThat(workflow.maxAttempts()).isEqualTo(2);
        AgentSpec patient = wf.agents().get(0);
        assertThat(patient.timeout()).contains(Duration.ofSeconds(90));
        RetrySettings patientRetry = patient.retry().applyTo(workflow);
        assertThat(patientRetry.maxAttempts()).isEqualTo(6);
        assertThat(patientRetry.delay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(patientRetry.abortOnExitCodes()).containsExactly(3);
        RetrySettings pickyRetry = wf.agents().get(1).retry().applyTo(workflow);
        assertThat(pickyRetry.maxAttempts()).isEqualTo(2);
        assertThat(pickyRetry.retryOnExitCodes()).containsExactly(4);
        assertThat(pickyRetry.abortOnExitCodes()).isEmpty();
        assertThat(wf.agents().get(2).retry().isEmpty()).isTrue();
        assertThat(wf.agents().get(2).timeout()).isEmpty();
    }

    @Test
    void aSingleAgentMayHaveItsOwnSettingsInAPipeline() throws Exception {
        WorkflowDefinition wf = load("wf.yaml", """
                agents:
                  - name: only
                    command: cat
                    retries: 0
                    timeout: 1s
                """);
        assertThat(wf.agents().get(0).retry().applyTo(RetrySettings.DEFAULT)).isEqualTo(RetrySettings.NONE);
    }
}
