package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredResult;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The settings of a run from flags and workflow files: every bad value refused with one line and exit code 2,
 * retry filters, inputs, how the first word is taken, and what reaches the terminal.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class RunSettingsIT {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static Map<String, Integer> attemptsByTask(Cli.Result r) {
        return Cli.jsonLines(r).stream().collect(Collectors.toMap(n -> n.get("task").asText(),
                n -> n.get("attempts").asInt()));
    }

    private void assertUsageError(Cli.Result r, String expectedStderr) {
        assertThat(r.stderr()).isEqualTo(expectedStderr + "\n");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(dir.resolve(".mpflow")).doesNotExist();
    }

    // --- every bad flag value: one line naming the flag and what is allowed, exit 2, nothing run ---

    static Stream<Arguments> badFlagValues() {
        return Stream.of(
                Arguments.of(List.of("--timeout", "0s"), "mpflow: --timeout: must be longer than zero, was 0s; there is no "
                        + "timeout unless one is set, so for none leave it out"),
                Arguments.of(List.of("--retries", "2147483647"),
                        "mpflow: --retries: out of range: must be from 0 to 2147483646, was 2147483647"),
                Arguments.of(List.of("--retries", "-1"),
                        "mpflow: --retries: out of range: must be from 0 to 2147483646, was -1"),
                Arguments.of(List.of("--retries", "two"),
                        "mpflow: --retries: must be a whole number from 0 to 2147483646, was \"two\""),
                Arguments.of(List.of("-j", "99999999999"),
                        "mpflow: -j/--max-workers: out of range: must be from 1 to 2147483647, was 99999999999"),
                // Digits of other scripts, which Java's parsers would read: every integer flag takes 0 to 9 only.
                Arguments.of(List.of("-j", "\uff14"), "mpflow: -j/--max-workers: must be a whole number from 1 to "
                        + "2147483647, written with the digits 0 to 9, was \"\uff14\""),
                Arguments.of(List.of("--retries", "\u0663"), "mpflow: --retries: must be a whole number from 0 to "
                        + "2147483646, written with the digits 0 to 9, was \"\u0663\""),
                Arguments.of(List.of("--halt", "now,fail=\u0663"), "mpflow: --halt: \"now,fail=\u0663\" is not a "
                        + "halt policy: fail= takes a whole number or a percentage, such as fail=1 or fail=10%"),
                Arguments.of(List.of("--halt", "now,fail=200%"), "mpflow: --halt: \"now,fail=200%\" is not a halt "
                        + "policy: a share of failures must be above 0% and at most 100%, was 200%"),
                Arguments.of(List.of("--retry-delay", "soon"), "mpflow: --retry-delay: \"soon\" is not a duration: "
                        + "use a number and a unit, such as 500ms, 30s, 5m or 2h"),
                Arguments.of(List.of("--retry-delay", "10s"), "mpflow: --retry-delay: must not exceed the longest "
                        + "delay (5s by default), was 10s; raise that with --retry-max-delay"),
                Arguments.of(List.of("--retry-max-delay", "0s"),
                        "mpflow: --retry-max-delay: must be longer than zero, was 0s"),
                Arguments.of(List.of("--retry-max-delay", "50ms"), "mpflow: --retry-max-delay: must be at least the "
                        + "first delay (100ms by default), was 50ms; lower that with --retry-delay"),
                Arguments.of(List.of("--retry-delay", "2s", "--retry-max-delay", "1s"),
                        "mpflow: --retry-delay: must not exceed --retry-max-delay (1s), was 2s"),
                Arguments.of(List.of("--retry-jitter", "1.5"),
                        "mpflow: --retry-jitter: must be a number from 0 to 1, such as 0.2, was \"1.5\""),
                Arguments.of(List.of("--retry-jitter", "NaN"),
                        "mpflow: --retry-jitter: must be a number from 0 to 1, such as 0.2, was \"NaN\""),
                Arguments.of(List.of("--halt", "sometimes"), "mpflow: --halt: \"sometimes\" is not a halt policy: "
                        + "use never, soon,fail=N, now,fail=N or a share such as now,fail=10%"),
                Arguments.of(List.of("--halt", "now,fail=0"),
                        "mpflow: --halt: \"now,fail=0\" is not a halt policy: a count of failures must be from 1 to "
                                + "2147483647, was 0"),
                Arguments.of(List.of("--deadline", "0s"), "mpflow: --deadline: must be longer than zero, was 0s; there is "
                        + "no deadline unless one is set, so for none leave it out"),
                Arguments.of(List.of("--deadline", "1 day"), "mpflow: --deadline: \"1 day\" is not a duration: use a "
                        + "number and a unit, such as 500ms, 30s, 5m or 2h"),
                Arguments.of(List.of("--grace", "10"), "mpflow: --grace: \"10\" is not a duration: the unit is "
                        + "required, such as 500ms, 30s, 5m or 2h"),
                Arguments.of(List.of("--capture-limit", "3GiB"),
                        "mpflow: --capture-limit: must be at most 2147483647 bytes, was 3GiB"),
                Arguments.of(List.of("--capture-limit", "100"), "mpflow: --capture-limit: \"100\" is not a size: the "
                        + "unit is required, such as 500KB, 1MB or 64MiB"),
                Arguments.of(List.of("--max-result-size", "0MB"),
                        "mpflow: --max-result-size: must be at least 1 byte, was 0MB"),
                // Zero needs no unit, so these reach the range check rather than "the unit is required".
                Arguments.of(List.of("--max-result-size", "0"),
                        "mpflow: --max-result-size: must be at least 1 byte, was 0"),
                Arguments.of(List.of("--timeout", "0"), "mpflow: --timeout: must be longer than zero, was 0; there is no "
                        + "timeout unless one is set, so for none leave it out"),
                Arguments.of(List.of("--grace", "0", "--retry-delay", "0", "--retries", "1", "--timeout", "0"),
                        "mpflow: --timeout: must be longer than zero, was 0; there is no timeout unless one is set, "
                        + "so for none leave it out"),
                Arguments.of(List.of("--max-result-size", "1M"), "mpflow: --max-result-size: \"1M\" is not a size: "
                        + "the unit must be B, KB, MB, GB, TB, KiB, MiB, GiB or TiB"),
                Arguments.of(List.of("--output", "xml"),
                        "mpflow: --output: expected one of [jsonl, table] (case-sensitive) but was 'xml'"),
                Arguments.of(List.of("--store", ""), "mpflow: --store: must name a file, was \"\""),
                Arguments.of(List.of("--store", "  "), "mpflow: --store: must name a file, was \"  \""),
                Arguments.of(List.of("-q", "-v"), "mpflow: -q/--quiet and -v/--verbose: use one or the other"),
                Arguments.of(List.of("--inputs", "."), "mpflow: --inputs: . is a directory, not a file"),
                Arguments.of(List.of("--inputs", "nope.txt"), "mpflow: --inputs: file not found: nope.txt"));
    }

    @ParameterizedTest
    @MethodSource("badFlagValues")
    void badFlagValueIsOneLineAndExitTwo(List<String> flags, String expected) {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(flags);
        args.addAll(List.of("--", "echo"));
        assertUsageError(Cli.run(dir, "x\n", args.toArray(String[]::new)), expected);
    }

    @Test
    void aFlagThatContradictsTheFileNamesBoth() throws IOException {
        write("wf.yaml", "retry:\n  maxDelay: 2s\nagents:\n  - name: a\n    command: cat\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml", "--retry-delay", "3s"), "mpflow: --retry-delay: must "
                + "not exceed the longest delay (2s from wf.yaml), was 3s; raise that with --retry-max-delay");
    }

    // --- retry settings that nothing would use: a retry block or delay flags with no retries ---

    private static final String CAT_AGENT = "agents:\n  - name: a\n    command: cat\n";

    @Test
    void retryFlagsWithNoRetriesAreRefused() {
        for (String flag : List.of("--retry-delay", "--retry-max-delay")) {
            assertUsageError(Cli.run(dir, "x\n", "run", "--retries", "0", flag, "1s", "--", "echo"), "mpflow: " + flag
                    + ": has no effect with --retries 0, as no attempt is retried; drop it, or allow retries");
        }
        assertUsageError(Cli.run(dir, "x\n", "run", "--retry-jitter", "0.5", "--retries", "0", "--", "echo"),
                "mpflow: --retry-jitter: has no effect with --retries 0, as no attempt is retried; drop it, or allow "
                        + "retries");
    }

    @Test
    void aRetryBlockBesideNoRetriesIsRefusedAtItsLine() throws IOException {
        write("wf.yaml", "retries: 0\nretry:\n  delay: 1s\n  maxDelay: 5s\n" + CAT_AGENT);
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"), "mpflow: wf.yaml:2: retry: has no effect with retries: 0 "
                + "(line 1), as no attempt is retried; drop it, or allow retries");
        write("wf.yaml", "retry:\n  retryOnExitCodes: [3]\nretries: 0\n" + CAT_AGENT);
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"), "mpflow: wf.yaml:1: retry: has no effect with retries: 0 "
                + "(line 3), as no attempt is retried; drop it, or allow retries");
        // The delay flags against the file's retries.
        write("wf.yaml", "retries: 0\n" + CAT_AGENT);
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml", "--retry-delay", "2s"), "mpflow: --retry-delay: has no "
                + "effect with retries: 0 (wf.yaml:1), as no attempt is retried; drop it, or allow retries");
    }

    @Test
    void anAgentsOrATaskEntrysRetryBlockBesideNoRetriesIsRefused() throws IOException {
        write("wf.yaml", "agents:\n  - name: a\n    command: cat\n    retries: 0\n    retry:\n      delay: 1s\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"), "mpflow: wf.yaml:5: agents[0].retry: has no effect with "
                + "retries: 0 (line 4), as no attempt is retried; drop it, or allow retries");
        write("wf.yaml", CAT_AGENT + "tasks:\n  - name: t\n    retries: 0\n    retry:\n      jitter: 0.5\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"), "mpflow: wf.yaml:7: tasks[0].retry: has no effect with "
                + "retries: 0 (line 6), as no attempt is retried; drop it, or allow retries");
    }

    @Test
    void aRetryBlockThatSomethingBelowRetriesUnderIsAllowed() throws IOException {
        // The agent retries, with the workflow's delay; the task entry retries, with its agent's.
        write("wf.yaml", "retries: 0\nretry:\n  delay: 0ms\nagents:\n  - name: a\n" + EXIT_WITH_INPUT
                + "    retries: 1\ntasks:\n  - name: t\n    input: 3\n");
        Cli.Result agent = Cli.run(dir, "", "run", "--no-autosave", "wf.yaml");
        assertThat(agent.exitCode()).as(agent.stderr()).isEqualTo(1);
        assertThat(attemptsByTask(agent)).isEqualTo(Map.of("t", 2));
        write("wf.yaml", "agents:\n  - name: a\n" + EXIT_WITH_INPUT + "    retries: 0\n    retry:\n"
                + "      delay: 0ms\ntasks:\n  - name: t\n    input: 3\n    retries: 2\n");
        Cli.Result task = Cli.run(dir, "", "run", "--no-autosave", "wf.yaml");
        assertThat(attemptsByTask(task)).isEqualTo(Map.of("t", 3));
        // --retries over the file's retries: 0 puts its retry block to use.
        write("wf.yaml", "retries: 0\nretry:\n  delay: 0ms\nagents:\n  - name: a\n" + EXIT_WITH_INPUT
                + "tasks:\n  - name: t\n    input: 3\n");
        Cli.Result flag = Cli.run(dir, "", "run", "--no-autosave", "--retries", "1", "wf.yaml");
        assertThat(attemptsByTask(flag)).isEqualTo(Map.of("t", 2));
    }

    @Test
    void aFlagThatContradictsAnAgentsOwnSettingsNamesTheAgent() throws IOException {
        write("wf.yaml", """
                agents:
                  - name: a
                    command: cat
                    retry:
                      delay: 3s
                """);
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml", "--retry-max-delay", "1s", "--retry-delay", "0s"),
                "mpflow: wf.yaml:2: agents[0]: delay (3000ms) must not exceed maxDelay (1000ms) (with the retry "
                        + "flags given)");
    }

    // --- bad workflow fields, through the command ---

    @Test
    void badNewFieldsOfAWorkflowFile() throws IOException {
        String agent = "agents:\n  - name: a\n    command: cat\n";
        write("halt.yaml", "halt: sometimes\n" + agent);
        assertUsageError(Cli.run(dir, "", "run", "halt.yaml"), "mpflow: halt.yaml:1: halt: \"sometimes\" is not a "
                + "halt policy: use never, soon,fail=N, now,fail=N or a share such as now,fail=10%");
        write("size.yaml", agent + "captureLimit: 12\n");
        assertUsageError(Cli.run(dir, "", "run", "size.yaml"), "mpflow: size.yaml:4: captureLimit: \"12\" is not a "
                + "size: the unit is required, such as 500KB, 1MB or 64MiB");
        write("codes.yaml", "retry:\n  retryOnExitCodes: [4]\n  abortOnExitCodes: [4]\n" + agent);
        assertUsageError(Cli.run(dir, "", "run", "codes.yaml"), "mpflow: codes.yaml:3: retry.abortOnExitCodes[0]: 4 "
                + "is also in retryOnExitCodes; an exit code is either retried or aborted on");
        write("grace.yaml", "grace: -1s\n" + agent);
        assertUsageError(Cli.run(dir, "", "run", "grace.yaml"), "mpflow: grace.yaml:1: grace: \"-1s\" is not a "
                + "duration: use a number and a unit, such as 500ms, 30s, 5m or 2h");
    }

    @Test
    void zeroNeedsNoUnitInFlagsOrFiles() throws IOException {
        Cli.Result flags = Cli.run(dir, "x\n", "run", "--store", "flags.db", "--capture-limit", "0", "--grace", "0",
                "--retry-delay", "0", "--", "sh", "-c", "echo noise >&2; echo $0", "{}");
        assertThat(flags.exitCode()).as(flags.stderr()).isZero();
        assertThat(Cli.jsonLines(flags).get(0).get("result").asText()).isEqualTo("x");
        try (SqliteRunHistory history = SqliteRunHistory.open(dir.resolve("flags.db"))) {
            StoredResult result = history.results(history.runs().get(0).runId()).get(0);
            // A limit of 0 keeps nothing, and says how much it dropped.
            assertThat(result.stderr()).doesNotContain("noise").contains("6 more bytes not kept");
        }

        write("wf.yaml", "captureLimit: 0\ngrace: 0\nretry:\n  delay: 0\nagents:\n  - name: a\n"
                + "    command: echo {}\ntasks:\n  - name: t\n    input: y\n");
        Cli.Result file = Cli.run(dir, "", "run", "--no-autosave", "wf.yaml");
        assertThat(file.exitCode()).as(file.stderr()).isZero();
        assertThat(Cli.jsonLines(file).get(0).get("result").asText()).isEqualTo("y");
    }

    @Test
    void aWorkflowFileWithoutAgentsIsRefused() throws IOException {
        write("none.yaml", "name: idle\ntasks:\n  - name: a\n");
        assertUsageError(Cli.run(dir, "", "run", "none.yaml"),
                "mpflow: none.yaml:1: agents: a workflow file needs at least one agent");
        write("empty.yaml", "name: idle\nagents: []\ntasks:\n  - name: a\n");
        assertUsageError(Cli.run(dir, "", "run", "empty.yaml"),
                "mpflow: empty.yaml:2: agents: a workflow file needs at least one agent");
    }

    // --- retry filters, from a file and per agent ---

    private static final String EXIT_WITH_INPUT = "    command: sh -c 'exit $0' {}\n";

    @Test
    void anExitCodeAbortedOnIsNotRetried() throws IOException {
        write("wf.yaml", "retries: 2\nretry:\n  delay: 0ms\n  abortOnExitCodes: [3]\nagents:\n  - name: a\n"
                + EXIT_WITH_INPUT + "tasks:\n  - name: three\n    input: 3\n  - name: four\n    input: 4\n");
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "wf.yaml");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(attemptsByTask(r)).isEqualTo(Map.of("three", 1, "four", 3));
    }

    @Test
    void onlyTheExitCodesRetriedOnAreRetried() throws IOException {
        write("wf.yaml", "retries: 2\nretry:\n  delay: 0ms\n  retryOnExitCodes: [4]\nagents:\n  - name: a\n"
                + EXIT_WITH_INPUT + "tasks:\n  - name: three\n    input: 3\n  - name: four\n    input: 4\n");
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "wf.yaml");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(attemptsByTask(r)).isEqualTo(Map.of("three", 1, "four", 3));
    }

    @Test
    void exceptionTypesAbortedOn() throws IOException {
        write("wf.yaml", "retries: 2\nretry:\n  delay: 0ms\n  abortOn: [dev.mpflow.CommandFailedException]\n"
                + "agents:\n  - name: a\n" + EXIT_WITH_INPUT + "tasks:\n  - name: five\n    input: 5\n");
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "wf.yaml");
        assertThat(attemptsByTask(r)).isEqualTo(Map.of("five", 1));
    }

    @Test
    void eachAgentKeepsItsOwnRetriesAndTimeout() throws IOException {
        write("wf.yaml", """
                mode: fanout
                retries: 2
                retry:
                  delay: 0ms
                agents:
                  - name: once
                    command: sh -c 'exit 5'
                    retries: 0
                  - name: thrice
                    command: sh -c 'exit 5'
                  - name: quick
                    command: sleep 30
                    timeout: 300ms
                    retries: 0
                tasks:
                  - name: t
                """);
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "wf.yaml");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        Map<String, JsonNode> byAgent = Cli.jsonLines(r).stream().collect(Collectors.toMap(n -> n.get("agent").asText(),
                n -> n));
        assertThat(byAgent.get("once").get("attempts").asInt()).isEqualTo(1);
        assertThat(byAgent.get("thrice").get("attempts").asInt()).isEqualTo(3);
        assertThat(byAgent.get("quick").get("status").asText()).isEqualTo("timed_out");
        assertThat(byAgent.get("quick").get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void eachTaskEntryKeepsItsOwnRetriesOverItsAgentsAndTheWorkflows() throws IOException {
        write("fours.txt", "4\n");
        write("wf.yaml", """
                retries: 0
                retry:
                  delay: 0ms
                agents:
                  - name: a
                    command: sh -c 'exit $0' {}
                    retries: 1
                    retry:
                      abortOnExitCodes: [6]
                tasks:
                  - name: agents-own
                    input: 4
                  - inputs: fours.txt
                    retries: 3
                  - name: aborted
                    input: 6
                    retries: 3
                  - name: filtered
                    input: 5
                    retries: 3
                    retry:
                      retryOnExitCodes: [4]
                """);
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "wf.yaml");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        // The agent's 1 retry; the entry's 3; the agent's abortOn kept under the entry's retries; the entry's filter.
        assertThat(attemptsByTask(r)).isEqualTo(Map.of("agents-own", 2, "4", 4, "aborted", 1, "filtered", 1));

        // The flags apply under a task's own settings, as under an agent's.
        Cli.Result flags = Cli.run(dir, "", "run", "--no-autosave", "--retries", "5", "wf.yaml");
        assertThat(attemptsByTask(flags)).containsEntry("4", 4).containsEntry("agents-own", 2);
    }

    @Test
    void aFlagThatContradictsATasksOwnSettingsNamesTheTaskEntry() throws IOException {
        write("wf.yaml", """
                agents:
                  - name: a
                    command: cat
                tasks:
                  - name: t
                  - name: u
                    retry:
                      delay: 3s
                """);
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml", "--retry-max-delay", "1s"),
                "mpflow: wf.yaml:6: tasks[1]: delay (3000ms) must not exceed maxDelay (1000ms) (with the retry "
                        + "flags given)");
    }

    @Test
    void badRetrySettingsOfATaskEntryAreOneLineNamingTheField() throws IOException {
        write("wf.yaml", "agents:\n  - name: a\n    command: cat\ntasks:\n  - name: t\n    retries: -2\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"),
                "mpflow: wf.yaml:6: tasks[0].retries: must be a whole number of at least 0, was -2");
        write("wf.yaml", "agents:\n  - name: a\n    command: cat\ntasks:\n  - name: t\n    retry:\n"
                + "      retryOnExitCodes: [3]\n      abortOnExitCodes: [3]\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"), "mpflow: wf.yaml:8: tasks[0].retry.abortOnExitCodes[0]: "
                + "3 is also in retryOnExitCodes; an exit code is either retried or aborted on");
    }

    @Test
    void retryFlagsOverrideTheFile() throws IOException {
        write("wf.yaml", "retries: 5\nretry:\n  delay: 0ms\nagents:\n  - name: a\n" + EXIT_WITH_INPUT
                + "tasks:\n  - name: n\n    input: 9\n");
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "--retries", "1", "--retry-jitter", "0.5",
                "--retry-max-delay", "20ms", "wf.yaml");
        assertThat(attemptsByTask(r)).isEqualTo(Map.of("n", 2));
    }

    @Test
    void theResultSizeLimitStopsACommandThatPrintsTooMuch() {
        Cli.Result r = Cli.run(dir, "0123456789abcdef\n", "run", "--no-autosave", "--retries", "0",
                "--max-result-size", "10B", "--", "echo");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(Cli.jsonLines(r).get(0).get("errorType").asText()).isEqualTo("dev.mpflow.CommandOutputTooLargeException");
    }

    @Test
    void theResultSizeLimitMeasuresTheValueItself() {
        // 1000 bytes of text is exactly 1KB, not 1000 plus the bytes the value travels with.
        Cli.Result r = Cli.run(dir, "1000\n1001\n", "run", "--no-autosave", "--retries", "0", "-k",
                "--max-result-size", "1KB", "--", "sh", "-c", "head -c $1 /dev/zero | tr '\\0' y", "sh");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        List<JsonNode> lines = Cli.jsonLines(r);
        assertThat(lines.get(0).get("status").asText()).isEqualTo("succeeded");
        assertThat(lines.get(0).get("result").asText()).isEqualTo("y".repeat(1000));
        assertThat(lines.get(1).get("status").asText()).isEqualTo("failed");
        assertThat(lines.get(1).get("errorType").asText()).isEqualTo("dev.mpflow.CommandOutputTooLargeException");
    }

    // --- inputs: one rule for stdin, --inputs and a workflow's inputs files ---

    @Test
    void inputsDashIsStdinAndBlankLinesAreSkipped() {
        Cli.Result r = Cli.run(dir, "a\n   \n\t\nb c\n\n", "run", "--no-autosave", "-k", "--inputs", "-", "--", "echo");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Cli.jsonLines(r)).extracting(n -> n.get("task").asText()).containsExactly("a", "b c");
    }

    @Test
    void anInputsFileThatIsNotUtf8IsRefusedBeforeAnythingRuns() throws IOException {
        Files.write(dir.resolve("l2.txt"), new byte[] {'a', '\n', '\n', 'c', 'a', 'f', (byte) 0xe9, '\n'});
        assertUsageError(Cli.run(dir, "", "run", "--inputs", "l2.txt", "--", "echo"),
                "mpflow: --inputs l2.txt:3: not valid UTF-8");
    }

    @Test
    void aWorkflowInputsFileThatIsNotUtf8IsNamedWithItsLine() throws IOException {
        Files.write(dir.resolve("l2.txt"), new byte[] {'a', '\n', 'b', '\n', (byte) 0xff, '\n'});
        write("wf.yaml", "agents:\n  - name: a\n    command: echo\ntasks:\n  - inputs: l2.txt\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"), "mpflow: l2.txt:3: not valid UTF-8");
    }

    /** Makes {@code dir/relative}, whose name holds bytes that are not UTF-8 (written as {@code \\377}). */
    private void touchRawName(String relative) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "f=$(printf \"$0\"); mkdir -p \"$(dirname \"$f\")\" && touch \"$f\"",
                relative).directory(dir.toFile()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }

    @Test
    void aGlobThatFindsAFileNameThatIsNotUtf8IsRefusedBeforeAnythingRuns() throws Exception {
        write("nu/a.txt", "fine\n");
        touchRawName("nu/f\\377.txt");
        write("wf.yaml", "agents:\n  - name: a\n    command: cat {}\ntasks:\n  - name: first\n"
                + "  - glob: \"nu/*\"\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"), "mpflow: wf.yaml:6: tasks[1].glob: "
                + dir.resolve("nu") + "/f\\xff.txt: the file name is not valid UTF-8, so it would reach the command "
                + "altered; rename the file");
    }

    @Test
    void aGlobThatFindsAFileInADirectoryWhoseNameIsNotUtf8IsRefused() throws Exception {
        write("tree/ok.txt", "fine\n");
        touchRawName("tree/d\\376\\351x/deep.txt");
        write("wf.yaml", "agents:\n  - name: a\n    command: cat {}\ntasks:\n  - glob: \"tree/**\"\n");
        assertUsageError(Cli.run(dir, "", "run", "wf.yaml"), "mpflow: wf.yaml:5: tasks[0].glob: "
                + dir.resolve("tree") + "/d\\xfe\\xe9x/deep.txt: the file name is not valid UTF-8, so it would reach "
                + "the command altered; rename the file");
    }

    @Test
    void stdinThatIsNotUtf8EndsTheRunAtThatLine() {
        byte[] stdin = {'o', 'n', 'e', '\n', 't', 'w', 'o', '\n', (byte) 0xc3, '(', '\n', 'f', 'o', 'u', 'r', '\n'};
        Cli.Result r = Cli.run(Cli.builder(dir, "run", "--no-autosave", "-k", "--", "echo"), stdin,
                Duration.ofSeconds(60));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(Cli.jsonLines(r)).extracting(n -> n.get("task").asText()).containsExactly("one", "two");
        assertThat(r.stderrLines()).hasSize(2);
        assertThat(r.stderrLines().get(0)).startsWith("mpflow: 2 succeeded, 0 failed, 0 retried in ");
        assertThat(r.stderrLines().get(1)).isEqualTo("mpflow: halted: stdin:3: not valid UTF-8; the run stopped "
                + "there and read no input after it");
    }

    // --- the first word: a workflow file, a directory, or a command ---

    @Test
    void aFileWithoutExtensionIsAWorkflowFile() throws IOException {
        write("checks", "agents:\n  - name: e\n    command: echo hi {}\ntasks:\n  - name: t\n    input: x\n");
        Cli.Result r = Cli.run(dir, "", "run", "--no-autosave", "checks");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Cli.jsonLines(r).get(0).get("result").asText()).isEqualTo("hi x");
    }

    @Test
    void aDirectoryIsNotAWorkflowFile() throws IOException {
        Files.createDirectory(dir.resolve("data"));
        assertUsageError(Cli.run(dir, "", "run", "data"), "mpflow: run: data is a directory, not a workflow file");
    }

    @Test
    void anythingElseIsACommandAsWithXargs() throws IOException {
        Path script = write("shout.sh", "#!/bin/sh\necho \"$1!\"\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        Cli.Result r = Cli.run(dir, "hey\n", "run", "--no-autosave", "./shout.sh");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(Cli.jsonLines(r).get(0).get("result").asText()).isEqualTo("hey!");
        Cli.Result echo = Cli.run(dir, "ho\n", "run", "--no-autosave", "echo", "got");
        assertThat(Cli.jsonLines(echo).get(0).get("result").asText()).isEqualTo("got ho");
    }

    // --- what reaches the terminal ---

    /** Whether every line of {@code stderr} that is not the bar starts at the beginning of a line. */
    private static void assertNothingSharesTheBarsLine(String stderr, String... starts) {
        for (String start : starts) {
            Matcher m = Pattern.compile(Pattern.quote(start)).matcher(stderr);
            int found = 0;
            while (m.find()) {
                found++;
                String before = stderr.substring(0, m.start());
                assertThat(before.isEmpty() || before.endsWith("\n") || before.endsWith("\r\u001b[2K"))
                        .as("'%s' starts a line of its own in %s", start, stderr.replace("\r", "\\r")
                                .replace("\u001b", "\\e"))
                        .isTrue();
            }
            assertThat(found).as(start).isPositive();
        }
    }

    @Test
    void warningsAndTheSummaryNeverShareTheProgressBarsLine() {
        Cli.Result r = Cli.run(Cli.builder(dir, List.of("-Dmpflow.stderr.tty=true", "-Dmpflow.stdout.tty=false"),
                "run", "--no-autosave", "--retries", "0", "-j", "2", "--", "sh", "-c",
                "sleep 0.$0; [ $0 -ne 3 ]", "{}"), "1\n2\n3\n4\n5\n6\n7\n8\n", Duration.ofSeconds(60));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("\r\u001b[2Kmpflow ").contains(" tasks/s");
        assertNothingSharesTheBarsLine(r.stderr(), "mpflow: WARN", "mpflow: 7 succeeded, 1 failed");
        // Once stdin has ended, the bar knows the total; its last drawing is the line above the summary.
        assertThat(r.stderr()).matches(Pattern.compile(".*\r\u001b\\[2Kmpflow 100% \\[=+\\] 8/8 tasks [^\r\u001b\n]*"
                + "\nmpflow: 7 succeeded, 1 failed, .*", Pattern.DOTALL));
    }

    @Test
    void theProgressBarSharesTheTerminalWithTheTable() throws IOException {
        write("inputs.txt", "1\n2\n3\n4\n5\n6\n7\n8\n");
        // stdout and stderr on one terminal: here one pipe that gets both, in the order they were written.
        ProcessBuilder pb = Cli.builder(dir, List.of("-Dmpflow.stderr.tty=true", "-Dmpflow.stdout.tty=true"),
                "run", "--no-autosave", "-j", "2", "--inputs", "inputs.txt", "--", "sh", "-c",
                "sleep 0.$0; echo done $0", "{}").redirectErrorStream(true);
        Cli.Result r = Cli.run(pb, "", Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.stdout()).isZero();
        String terminal = r.stdout();
        assertThat(terminal).contains("\r\u001b[2Kmpflow ").contains(" tasks/s").contains("8/8");
        List<String> rowStarts = new ArrayList<>(List.of("TASK  ", "mpflow: 8 succeeded, 0 failed"));
        for (int i = 1; i <= 8; i++) {
            rowStarts.add(String.format("%-24s %-12s succeeded", i, "sh"));
        }
        assertNothingSharesTheBarsLine(terminal, rowStarts.toArray(String[]::new));
        // Each row is whole: the bar is cleared before a row, never drawn inside one.
        for (String row : terminal.split("\n")) {
            String last = row.substring(row.lastIndexOf("\r\u001b[2K") < 0 ? 0 : row.lastIndexOf("\r\u001b[2K") + 5);
            if (last.startsWith("TASK") || last.matches("\\d +sh .*")) {
                assertThat(last).doesNotContain("\r").doesNotContain("\u001b");
            }
        }
    }

    @Test
    void noProgressBarWhenQuietOrWhenStderrIsNoTerminal() {
        Cli.Result quiet = Cli.run(Cli.builder(dir, List.of("-Dmpflow.stderr.tty=true", "-Dmpflow.stdout.tty=true"),
                "run", "--no-autosave", "-q", "--", "echo"), "a\nb\n", Duration.ofSeconds(60));
        assertThat(quiet.exitCode()).isZero();
        assertThat(quiet.stdoutLines().get(0)).startsWith("TASK");
        assertThat(quiet.stderr()).doesNotContain("\r").startsWith("mpflow: 2 succeeded");
        Cli.Result plain = Cli.run(Cli.builder(dir, List.of("-Dmpflow.stderr.tty=false", "-Dmpflow.stdout.tty=true"),
                "run", "--no-autosave", "--", "echo"), "a\n", Duration.ofSeconds(60));
        assertThat(plain.stdout()).doesNotContain("\r");
        assertThat(plain.stderr()).doesNotContain("\r").startsWith("mpflow: 1 succeeded");
    }

    @Test
    void theTableShowsControlCharactersAsQuestionMarks() {
        Cli.Result r = Cli.run(dir, "a\u001b[31mred\u0007\n", "run", "--no-autosave", "--output", "table", "--",
                "printf", "%s");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).doesNotContain("\u001b").doesNotContain("\u0007");
        assertThat(r.stdoutLines().get(1)).startsWith("a?[31mred? ").endsWith("  a?[31mred?");
    }

    @Test
    void helpSentencesAreWhole() {
        Cli.Result top = Cli.run(dir, "", "--help");
        assertThat(top.stderr()).isEmpty();
        assertThat(top.stdout()).contains("  run     Runs a workflow file, or a command once per input line.\n")
                .contains("  runs    Lists the saved runs, newest first.\n")
                .contains("  show    Shows a run, or one task of it, in detail.\n")
                .contains("  export  Writes a run's results as JSON lines or CSV.\n")
                .contains("  gc      Removes old runs from a store.\n")
                .contains("retries what\nfails, kills what hangs and autosaves every result.\n");
        assertThat(top.stdout().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        Cli.Result help = Cli.run(dir, "", "run", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stderr()).isEmpty();
        assertThat(help.stdout().replaceAll("\\s+", " ")).contains("N may be a share such as 10%: judged at every "
                + "result, it halts once that share of all the tasks has failed (when their number is known), or from "
                + "the 10th result on, of the results so far. Default: never.");
        assertThat(help.stdout()).contains("--retry-delay", "--retry-max-delay", "--retry-jitter", "--halt",
                "--deadline", "--grace", "--capture-limit", "--max-result-size");
        String text = help.stdout().replaceAll("\\s+", " ");
        assertThat(text).contains("When stdout is closed (such as by | head), the run stops at once, says so, "
                + "prints the summary and exits with 1.");
        assertThat(text).contains("Blank lines are skipped.");
        assertThat(help.stdout().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        // A description line ends a sentence or is wrapped by picocli at a word, never cut after a comma.
        assertThat(help.stdout()).doesNotContain("replaced\nby");
    }
}
