package dev.mpflow.cli.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of invalid workflow file, with the exact message the user sees. */
class WorkflowFileErrorsTest {
    private static final String TOP_FIELDS = "name, maxWorkers, autosave, store, retries, retry, timeout, halt, "
            + "deadline, grace, captureLimit, maxResultSize, mode, secrets, agents, tasks";
    private static final String RETRY_FIELDS = "delay, maxDelay, multiplier, jitter, retryOn, abortOn, "
            + "retryOnExitCodes, abortOnExitCodes, retryTimeouts, retryCrashes";
    private static final String AGENT = "agents:\n  - name: a\n    command: cat\n";
    private static final String UNSET = "MPFLOW_TEST_VARIABLE_THAT_IS_NEVER_SET";

    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void setUp() {
        file = dir.resolve("wf.yaml");
    }

    private WorkflowFileException failure(String yaml) throws IOException {
        Files.writeString(file, yaml);
        return assertThrows(WorkflowFileException.class, () -> WorkflowFileLoader.load(file));
    }

    private String error(String yaml) throws IOException {
        return failure(yaml).getMessage();
    }

    private String at(int line, String rest) {
        return file + ":" + line + ": " + rest;
    }

    @Nested
    class TheFile {
        @Test
        void missingFile() {
            Path missing = dir.resolve("missing.yaml");
            WorkflowFileException e = assertThrows(WorkflowFileException.class,
                    () -> WorkflowFileLoader.load(missing));
            assertThat(e.getMessage()).isEqualTo(missing + ": file not found");
            assertThat(e.line()).isZero();
            assertThat(e.field()).isEmpty();
        }

        @Test
        void missingFileIsNamedAsGiven() {
            Path given = Path.of("no-such-directory-for-mpflow", "wf.yaml");
            WorkflowFileException e = assertThrows(WorkflowFileException.class,
                    () -> WorkflowFileLoader.load(given));
            assertThat(e.getMessage()).isEqualTo("no-such-directory-for-mpflow/wf.yaml: file not found");
            assertThat(e.file()).isEqualTo(given);
        }

        @Test
        void directory() {
            WorkflowFileException e = assertThrows(WorkflowFileException.class, () -> WorkflowFileLoader.load(dir));
            assertThat(e.getMessage()).isEqualTo(dir + ": is a directory, not a workflow file");
        }

        @Test
        void emptyFile() throws IOException {
            assertThat(error("")).isEqualTo(file + ": empty workflow file");
        }

        @Test
        void onlyComments() throws IOException {
            assertThat(error("# nothing here\n\n# nor here\n")).isEqualTo(file + ": empty workflow file");
        }

        @Test
        void notUtf8() throws IOException {
            Files.write(file, new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
            WorkflowFileException e = assertThrows(WorkflowFileException.class, () -> WorkflowFileLoader.load(file));
            assertThat(e.getMessage()).isEqualTo(file + ": not UTF-8 text");
        }
    }

    @Nested
    class Yaml {
        @Test
        void malformedYamlGivesTheParserLineAndReason() throws IOException {
            WorkflowFileException e = failure("""
                    name: a
                    maxWorkers: 3
                      bad: x
                    """);
            assertThat(e.getMessage()).isEqualTo(at(3, "malformed YAML: mapping values are not allowed here"));
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.field()).isEmpty();
            assertThat(e.problem()).isEqualTo("malformed YAML: mapping values are not allowed here");
        }

        @Test
        void unterminatedQuoteSaysWhereItStarted() throws IOException {
            assertThat(error("""
                    name: "abc
                    maxWorkers: 3
                    """)).isEqualTo(at(3,
                    "malformed YAML: found unexpected end of stream"
                            + " (while scanning a quoted scalar started at line 1)"));
        }

        @Test
        void unclosedFlowList() throws IOException {
            assertThat(error("""
                    name: a
                    tasks: [1, 2
                    """)).isEqualTo(at(3, "malformed YAML: expected ',' or ']', but got <stream end>"
                    + " (while parsing a flow sequence started at line 2)"));
        }

        @Test
        void duplicateKey() throws IOException {
            assertThat(error("""
                    name: a
                    maxWorkers: 2
                    name: b
                    """)).isEqualTo(at(3, "duplicate field 'name' (first at line 1)"));
        }

        @Test
        void duplicateKeyInANestedMapping() throws IOException {
            assertThat(error("""
                    agents:
                      - name: a
                        command: cat
                        name: b
                    """)).isEqualTo(at(4, "agents[0]: duplicate field 'name' (first at line 2)"));
        }

        @Test
        void severalDocuments() throws IOException {
            assertThat(error("""
                    name: a
                    ---
                    name: b
                    """)).isEqualTo(at(3, "more than one YAML document; a workflow file holds exactly one"));
        }

        @Test
        void topLevelMustBeAMapping() throws IOException {
            assertThat(error("""
                    - a
                    - b
                    """)).isEqualTo(at(1,
                    "a workflow file must be a mapping of fields such as name, agents and tasks, was a list"));
        }

        @Test
        void aliasesAreRejected() throws IOException {
            assertThat(error("""
                    name: &n wf
                    tasks:
                      - name: *n
                    """)).isEqualTo(at(3, "tasks[0].name: YAML aliases (*n) are not supported"));
        }
    }

    @Nested
    class Settings {
        @Test
        void maxWorkersOfTheWrongType() throws IOException {
            WorkflowFileException e = failure("""
                    name: a
                    maxWorkers: five
                    """);
            assertThat(e.getMessage())
                    .isEqualTo(at(2, "maxWorkers: must be a whole number of at least 1, was \"five\""));
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.field()).isEqualTo("maxWorkers");
            assertThat(e.problem()).isEqualTo("must be a whole number of at least 1, was \"five\"");
            assertThat(e.file()).isEqualTo(file);
        }

        @Test
        void maxWorkersZero() throws IOException {
            assertThat(error("""
                    name: a
                    autosave: false
                    maxWorkers: 0
                    """)).isEqualTo(at(3, "maxWorkers: must be a whole number of at least 1, was 0"));
        }

        @Test
        void maxWorkersNegative() throws IOException {
            assertThat(error("maxWorkers: -3\n"))
                    .isEqualTo(at(1, "maxWorkers: must be a whole number of at least 1, was -3"));
        }

        @Test
        void maxWorkersFraction() throws IOException {
            assertThat(error("maxWorkers: 2.5\n"))
                    .isEqualTo(at(1, "maxWorkers: must be a whole number of at least 1, was 2.5"));
        }

        @Test
        void maxWorkersTooLarge() throws IOException {
            assertThat(error("maxWorkers: 99999999999\n"))
                    .isEqualTo(at(1, "maxWorkers: must be a whole number of at most 2147483647, was 99999999999"));
        }

        @Test
        void maxWorkersWithoutValue() throws IOException {
            assertThat(error("maxWorkers:\n"))
                    .isEqualTo(at(1, "maxWorkers: must be a whole number of at least 1, was empty"));
        }

        @Test
        void retriesNegative() throws IOException {
            assertThat(error("retries: -1\n"))
                    .isEqualTo(at(1, "retries: must be a whole number of at least 0, was -1"));
        }

        @Test
        void autosaveNotABoolean() throws IOException {
            assertThat(error("autosave: maybe\n")).isEqualTo(at(1, "autosave: must be true or false, was \"maybe\""));
        }

        @Test
        void nameAsAList() throws IOException {
            assertThat(error("name: [a, b]\n")).isEqualTo(at(1, "name: must be text, was a list"));
        }

        @Test
        void emptyStore() throws IOException {
            assertThat(error("store: \"\"\n")).isEqualTo(at(1, "store: must not be empty"));
        }

        @Test
        void unknownTopLevelFieldWithSuggestion() throws IOException {
            WorkflowFileException e = failure("""
                    name: x
                    maxWorker: 3
                    """);
            assertThat(e.getMessage()).isEqualTo(at(2,
                    "unknown field 'maxWorker' (did you mean 'maxWorkers'?); allowed: " + TOP_FIELDS));
            assertThat(e.field()).isEmpty();
        }

        @Test
        void unknownTopLevelFieldDifferingInCase() throws IOException {
            assertThat(error("AUTOSAVE: true\n")).isEqualTo(at(1,
                    "unknown field 'AUTOSAVE' (did you mean 'autosave'?); allowed: " + TOP_FIELDS));
        }

        @Test
        void unknownTopLevelFieldWithoutSuggestion() throws IOException {
            assertThat(error("name: x\n\ncolour: red\n"))
                    .isEqualTo(at(3, "unknown field 'colour'; allowed: " + TOP_FIELDS));
        }

        @Test
        void badDuration() throws IOException {
            assertThat(error("""
                    name: a
                    mode: pipeline
                    retries: 1
                    maxWorkers: 2
                    timeout: 5 parsecs
                    """)).isEqualTo(at(5, "timeout: \"5 parsecs\" is not a duration: use a number and a unit,"
                    + " such as 500ms, 30s, 5m or 2h"));
        }

        @Test
        void durationWithoutUnit() throws IOException {
            assertThat(error("timeout: 30\n")).isEqualTo(at(1,
                    "timeout: \"30\" is not a duration: the unit is required, such as 500ms, 30s, 5m or 2h"));
        }

        @Test
        void zeroTimeout() throws IOException {
            assertThat(error("timeout: 0s\n")).isEqualTo(at(1, "timeout: must be longer than zero, was 0s; there is no "
                    + "timeout unless one is set, so for none leave it out"));
            assertThat(error("timeout: 0\n")).isEqualTo(at(1, "timeout: must be longer than zero, was 0; there is no "
                    + "timeout unless one is set, so for none leave it out"));
        }

        @Test
        void durationOfTheWrongType() throws IOException {
            assertThat(error("timeout: true\n"))
                    .isEqualTo(at(1, "timeout: must be a duration such as 500ms, 30s, 5m or 2h, was true"));
        }

        @Test
        void unknownMode() throws IOException {
            assertThat(error("mode: parallel\n"))
                    .isEqualTo(at(1, "mode: must be pipeline or fanout, was \"parallel\""));
        }

        @Test
        void retryDelayLongerThanMaxDelay() throws IOException {
            assertThat(error("""
                    retries: 3
                    retry:
                      delay: 10s
                      maxDelay: 5s
                    """)).isEqualTo(at(3, "retry.delay: must not exceed maxDelay (5s), was 10s"));
        }

        @Test
        void retryDelayLongerThanTheDefaultMaxDelay() throws IOException {
            assertThat(error("""
                    retry:
                      delay: 10s
                    """)).isEqualTo(at(2, "retry.delay: must not exceed maxDelay (5s by default), was 10s"));
        }

        @Test
        void retryMaxDelayShorterThanTheDefaultDelay() throws IOException {
            assertThat(error("""
                    retry:
                      maxDelay: 50ms
                    """)).isEqualTo(at(2, "retry.maxDelay: must be at least delay (100ms by default), was 50ms"));
        }

        @Test
        void retryMultiplierBelowOne() throws IOException {
            assertThat(error("""
                    retry:
                      multiplier: 0.5
                    """)).isEqualTo(at(2, "retry.multiplier: must be a number of at least 1, was 0.5"));
        }

        @Test
        void retryUnknownField() throws IOException {
            assertThat(error("""
                    retry:
                      delay: 1s
                      maxAttempts: 3
                    """)).isEqualTo(at(3, "retry: unknown field 'maxAttempts'; allowed: " + RETRY_FIELDS));
        }

        @Test
        void retryNotAMapping() throws IOException {
            assertThat(error("retry: 3\n"))
                    .isEqualTo(at(1, "retry: must be a mapping with " + RETRY_FIELDS + ", was 3"));
        }

        @Test
        void retryJitterAboveOne() throws IOException {
            assertThat(error("retry:\n  jitter: 1.5\n"))
                    .isEqualTo(at(2, "retry.jitter: must be a number from 0 to 1, was 1.5"));
            assertThat(error("retry:\n  jitter: -0.1\n"))
                    .isEqualTo(at(2, "retry.jitter: must be a number from 0 to 1, was -0.1"));
            assertThat(error("retry:\n  jitter: lots\n"))
                    .isEqualTo(at(2, "retry.jitter: must be a number from 0 to 1, was \"lots\""));
        }

        @Test
        void retryOnWithoutAPackage() throws IOException {
            assertThat(error("""
                    retry:
                      retryOn:
                        - java.io.IOException
                        - TimeoutException
                    """)).isEqualTo(at(4, "retry.retryOn[1]: must be an exception class name with its package, "
                    + "such as java.io.IOException, was \"TimeoutException\""));
        }

        @Test
        void abortOnNotAList() throws IOException {
            assertThat(error("retry:\n  abortOn: java.io.IOException\n"))
                    .isEqualTo(at(2, "retry.abortOn: must be a list, was \"java.io.IOException\""));
        }

        @Test
        void abortOnANumber() throws IOException {
            assertThat(error("retry:\n  abortOn: [42]\n")).isEqualTo(at(2, "retry.abortOn[0]: must be an "
                    + "exception class name with its package, such as java.io.IOException, was 42"));
        }

        @Test
        void exitCodeOutOfRange() throws IOException {
            assertThat(error("retry:\n  retryOnExitCodes: [1, 256]\n"))
                    .isEqualTo(at(2, "retry.retryOnExitCodes[1]: must be an exit code from 1 to 255, was 256"));
            assertThat(error("retry:\n  abortOnExitCodes:\n    - 0\n"))
                    .isEqualTo(at(3, "retry.abortOnExitCodes[0]: must be an exit code from 1 to 255, was 0"));
            assertThat(error("retry:\n  abortOnExitCodes: [\"3\"]\n"))
                    .isEqualTo(at(2, "retry.abortOnExitCodes[0]: must be an exit code from 1 to 255, was \"3\""));
        }

        @Test
        void sameTypeRetriedAndAbortedOn() throws IOException {
            assertThat(error("""
                    retry:
                      retryOn: [java.io.IOException]
                      abortOn:
                        - java.lang.IllegalStateException
                        - java.io.IOException
                    """)).isEqualTo(at(5, "retry.abortOn[1]: java.io.IOException is also in retryOn; a type is "
                    + "either retried or aborted on"));
        }

        @Test
        void sameExitCodeRetriedAndAbortedOn() throws IOException {
            assertThat(error("""
                    retry:
                      abortOnExitCodes: [3]
                      retryOnExitCodes: [4, 3]
                    """)).isEqualTo(at(2, "retry.abortOnExitCodes[0]: 3 is also in retryOnExitCodes; an exit code "
                    + "is either retried or aborted on"));
        }

        @Test
        void retryTimeoutsNotABoolean() throws IOException {
            assertThat(error("retry:\n  retryTimeouts: sometimes\n"))
                    .isEqualTo(at(2, "retry.retryTimeouts: must be true or false, was \"sometimes\""));
        }

        @Test
        void unknownHaltPolicy() throws IOException {
            assertThat(error("halt: first-failure\n")).isEqualTo(at(1, "halt: \"first-failure\" is not a halt "
                    + "policy: use never, soon,fail=N, now,fail=N or a share such as now,fail=10%"));
        }

        @Test
        void haltPolicyWithoutACount() throws IOException {
            assertThat(error("halt: now,fail=many\n")).isEqualTo(at(1, "halt: \"now,fail=many\" is not a halt "
                    + "policy: fail= takes a whole number or a percentage, such as fail=1 or fail=10%"));
        }

        @Test
        void haltPolicyOfTheWrongType() throws IOException {
            assertThat(error("halt: true\n")).isEqualTo(at(1,
                    "halt: must be a halt policy such as now,fail=1, soon,fail=10% or never, was true"));
        }

        @Test
        void zeroDeadline() throws IOException {
            assertThat(error("deadline: 0s\n")).isEqualTo(at(1, "deadline: must be longer than zero, was 0s; there is no "
                    + "deadline unless one is set, so for none leave it out"));
        }

        @Test
        void graceWithoutUnit() throws IOException {
            assertThat(error("grace: 10\n")).isEqualTo(at(1,
                    "grace: \"10\" is not a duration: the unit is required, such as 500ms, 30s, 5m or 2h"));
        }

        @Test
        void sizeWithoutUnit() throws IOException {
            assertThat(error("captureLimit: 1024\n")).isEqualTo(at(1,
                    "captureLimit: \"1024\" is not a size: the unit is required, such as 500KB, 1MB or 64MiB"));
        }

        @Test
        void sizeWithAnUnknownUnit() throws IOException {
            assertThat(error("maxResultSize: 5 parsecs\n")).isEqualTo(at(1, "maxResultSize: \"5 parsecs\" is not "
                    + "a size: the unit must be B, KB, MB, GB, TB, KiB, MiB, GiB or TiB"));
        }

        @Test
        void captureLimitTooLarge() throws IOException {
            assertThat(error("captureLimit: 2GiB\n"))
                    .isEqualTo(at(1, "captureLimit: must be at most 2147483647 bytes, was 2GiB"));
        }

        @Test
        void maxResultSizeZero() throws IOException {
            assertThat(error("maxResultSize: 0MB\n"))
                    .isEqualTo(at(1, "maxResultSize: must be at least 1 byte, was 0MB"));
        }

        @Test
        void sizeOfTheWrongType() throws IOException {
            assertThat(error("maxResultSize: [1MB]\n"))
                    .isEqualTo(at(1, "maxResultSize: must be a size such as 500KB, 1MB or 64MiB, was a list"));
        }

        @Test
        void unsetEnvironmentVariable() throws IOException {
            assertThat(error("store: ${env." + UNSET + "}/runs.db\n"))
                    .isEqualTo(at(1, "store: environment variable " + UNSET + " is not set"));
        }

        @Test
        void unknownVariable() throws IOException {
            assertThat(error("name: ${nope}\n")).isEqualTo(at(1, "name: unknown variable ${nope}; use ${java.home},"
                    + " ${user.home}, ${user.dir} or ${env.NAME} (write $${ for a literal ${)"));
        }
    }

    @Nested
    class Agents {
        @Test
        void misspeltField() throws IOException {
            WorkflowFileException e = failure("""
                    name: sums
                    agents:
                      - name: sha
                        command: cat
                      - name: sha256
                        comand: sha256sum {}
                    """);
            assertThat(e.getMessage()).isEqualTo(at(6,
                    "agents[1]: unknown field 'comand' (did you mean 'command'?); allowed: name, command, retries, "
                    + "retry, timeout"));
            assertThat(e.field()).isEqualTo("agents[1]");
        }

        @Test
        void noAgents() throws IOException {
            WorkflowFileException e = failure("""
                    name: nothing to run
                    tasks:
                      - name: a
                    """);
            assertThat(e.getMessage()).isEqualTo(at(1, "agents: a workflow file needs at least one agent"));
            assertThat(e.field()).isEqualTo("agents");
        }

        @Test
        void emptyAgents() throws IOException {
            assertThat(error("name: x\nagents: []\ntasks:\n  - name: a\n"))
                    .isEqualTo(at(2, "agents: a workflow file needs at least one agent"));
            assertThat(error("name: x\nagents:\n"))
                    .isEqualTo(at(2, "agents: a workflow file needs at least one agent"));
        }

        @Test
        void agentRetriesNegative() throws IOException {
            assertThat(error(AGENT + "    retries: -1\n"))
                    .isEqualTo(at(4, "agents[0].retries: must be a whole number of at least 0, was -1"));
        }

        @Test
        void agentTimeoutZero() throws IOException {
            assertThat(error(AGENT + "    timeout: 0ms\n"))
                    .isEqualTo(at(4, "agents[0].timeout: must be longer than zero, was 0ms; there is no timeout unless one "
                            + "is set, so for none leave it out"));
        }

        @Test
        void agentRetryUnknownField() throws IOException {
            assertThat(error(AGENT + "    retry:\n      attempts: 3\n")).isEqualTo(at(5,
                    "agents[0].retry: unknown field 'attempts'; allowed: " + RETRY_FIELDS));
        }

        @Test
        void agentDelayLongerThanTheWorkflowsMaxDelay() throws IOException {
            assertThat(error("""
                    retry:
                      maxDelay: 2s
                    agents:
                      - name: a
                        command: cat
                        retry:
                          delay: 3s
                    """)).isEqualTo(at(7, "agents[0].retry.delay: must not exceed maxDelay (2s from the "
                    + "workflow's retry block), was 3s"));
        }

        @Test
        void agentAbortsOnWhatTheWorkflowRetries() throws IOException {
            assertThat(error("""
                    retry:
                      retryOnExitCodes: [3, 4]
                    agents:
                      - name: a
                        command: cat
                        retry:
                          abortOnExitCodes: [4]
                    """)).isEqualTo(at(7, "agents[0].retry.abortOnExitCodes[0]: 4 is also in retryOnExitCodes "
                    + "(from the workflow's retry block); an exit code is either retried or aborted on"));
        }

        @Test
        void agentSettingsInAPipelineOfAgents() throws IOException {
            assertThat(error("""
                    agents:
                      - name: a
                        command: cat
                      - name: b
                        command: cat
                        timeout: 5s
                    """)).isEqualTo(at(6, "agents[1].timeout: an agent's own retries, retry and timeout apply in "
                    + "mode: fanout or to a single agent; a pipeline of agents runs as one job under the "
                    + "workflow's settings"));
        }

        @Test
        void misspeltAgentField() throws IOException {
            assertThat(error(AGENT + "    timout: 2s\n")).isEqualTo(at(4, "agents[0]: unknown field 'timout' (did "
                    + "you mean 'timeout'?); allowed: name, command, retries, retry, timeout"));
        }

        @Test
        void withoutCommand() throws IOException {
            assertThat(error("""
                    agents:
                      - name: sha
                    """)).isEqualTo(at(2, "agents[0]: missing required field 'command'"));
        }

        @Test
        void withoutName() throws IOException {
            assertThat(error("""
                    agents:
                      - command: cat
                    """)).isEqualTo(at(2, "agents[0]: missing required field 'name'"));
        }

        @Test
        void notAMapping() throws IOException {
            assertThat(error("""
                    agents:
                      - cat
                    """)).isEqualTo(at(2, "agents[0]: must be a mapping with name and command, was \"cat\""));
        }

        @Test
        void duplicateNames() throws IOException {
            assertThat(error("""
                    agents:
                      - name: a
                        command: cat
                      - name: a
                        command: cat
                    """)).isEqualTo(at(4, "agents[1].name: duplicate agent name 'a' (first at line 2)"));
        }

        @Test
        void programNotOnPath() throws IOException {
            WorkflowFileException e = failure("""
                    agents:
                      - name: ok
                        command: cat
                      - name: sum
                        command: shasum256 {}
                    """);
            assertThat(e.getMessage()).isEqualTo(at(5, "agents[1].command: program 'shasum256' not found on PATH"));
            assertThat(e.field()).isEqualTo("agents[1].command");
            assertThat(e.line()).isEqualTo(5);
        }

        @Test
        void programNotOnPathGivenAsAList() throws IOException {
            assertThat(error("""
                    agents:
                      - name: sum
                        command:
                          - shasum256
                          - "{}"
                    """)).isEqualTo(at(4, "agents[0].command: program 'shasum256' not found on PATH"));
        }

        @Test
        void programPathNotFound() throws IOException {
            assertThat(error("""
                    agents:
                      - name: local
                        command: ./no-such-script-for-mpflow.sh {}
                    """)).isEqualTo(at(3, "agents[0].command: program './no-such-script-for-mpflow.sh' not found"));
        }

        @Test
        void programPathNotExecutable() throws IOException {
            Path script = Files.writeString(dir.resolve("script.sh"), "echo hi\n");
            assertThat(error("agents:\n  - name: local\n    command: " + script + " {}\n"))
                    .isEqualTo(at(3, "agents[0].command: program '" + script + "' is not executable"));
        }

        @Test
        void programPathIsADirectory() throws IOException {
            assertThat(error("agents:\n  - name: local\n    command: " + dir + "\n"))
                    .isEqualTo(at(3, "agents[0].command: program '" + dir + "' is a directory"));
        }

        @Test
        void unterminatedQuoteInCommand() throws IOException {
            assertThat(error("""
                    agents:
                      - name: shout
                        command: sh -c 'echo hi
                    """)).isEqualTo(at(3, "agents[0].command: unterminated single quote at character 7"));
        }

        @Test
        void emptyCommand() throws IOException {
            assertThat(error("""
                    agents:
                      - name: nothing
                        command: "  "
                    """)).isEqualTo(at(3, "agents[0].command: must name a program"));
        }

        @Test
        void commandAsAMapping() throws IOException {
            assertThat(error("""
                    agents:
                      - name: odd
                        command: {program: cat}
                    """)).isEqualTo(at(3,
                    "agents[0].command: must be a command line or a list of words, was a mapping"));
        }

        @Test
        void commandWordAsAList() throws IOException {
            assertThat(error("""
                    agents:
                      - name: odd
                        command: [cat, [a, b]]
                    """)).isEqualTo(at(3, "agents[0].command[1]: must be text, was a list"));
        }

        @Test
        void unsetEnvironmentVariableInACommandWord() throws IOException {
            assertThat(error("agents:\n  - name: a\n    command: cat ${env." + UNSET + "}\n"))
                    .isEqualTo(at(3, "agents[0].command: environment variable " + UNSET + " is not set"));
        }

        @Test
        void agentsNotAList() throws IOException {
            assertThat(error("agents: cat\n")).isEqualTo(at(1, "agents: must be a list, was \"cat\""));
        }
    }

    @Nested
    class Tasks {
        @Test
        void noForm() throws IOException {
            assertThat(error("""
                    tasks:
                      - name: a
                      - input: hello
                        priority: 2
                    """)).isEqualTo(at(3,
                    "tasks[1]: has none of name, inputs and glob; a task needs exactly one of them"));
        }

        @Test
        void twoForms() throws IOException {
            assertThat(error("""
                    tasks:
                      - name: a
                        glob: "*.txt"
                    """)).isEqualTo(at(2, "tasks[0]: has both name and glob; a task needs exactly one of them"));
        }

        @Test
        void threeForms() throws IOException {
            assertThat(error("""
                    tasks:
                      - {name: a, inputs: x.txt, glob: "*.txt"}
                    """)).isEqualTo(at(2,
                    "tasks[0]: has name, inputs and glob; a task needs exactly one of them"));
        }

        @Test
        void misspeltField() throws IOException {
            assertThat(error("""
                    tasks:
                      - name: a
                        inptu: hello
                    """)).isEqualTo(at(3, "tasks[0]: unknown field 'inptu' (did you mean 'input'?);"
                    + " allowed: name, input, inputs, glob, priority, timeout, retries, retry"));
        }

        @Test
        void taskRetriesNegative() throws IOException {
            assertThat(error(AGENT + "tasks:\n  - name: a\n    retries: -1\n"))
                    .isEqualTo(at(6, "tasks[0].retries: must be a whole number of at least 0, was -1"));
            assertThat(error(AGENT + "tasks:\n  - name: a\n  - inputs: x.txt\n    retries: many\n"))
                    .isEqualTo(at(7, "tasks[1].retries: must be a whole number of at least 0, was \"many\""));
        }

        @Test
        void taskRetryUnknownFieldOrNotAMapping() throws IOException {
            assertThat(error(AGENT + "tasks:\n  - name: a\n    retry:\n      attempts: 3\n")).isEqualTo(at(7,
                    "tasks[0].retry: unknown field 'attempts'; allowed: " + RETRY_FIELDS));
            assertThat(error(AGENT + "tasks:\n  - name: a\n    retry: 3\n")).isEqualTo(at(6,
                    "tasks[0].retry: must be a mapping with " + RETRY_FIELDS + ", was 3"));
        }

        @Test
        void taskRetryValuesAreCheckedAsAnywhereElse() throws IOException {
            assertThat(error(AGENT + "tasks:\n  - name: a\n    retry:\n      jitter: 2\n"))
                    .isEqualTo(at(7, "tasks[0].retry.jitter: must be a number from 0 to 1, was 2"));
            assertThat(error(AGENT + "tasks:\n  - name: a\n    retry:\n      retryOnExitCodes: [0]\n"))
                    .isEqualTo(at(7, "tasks[0].retry.retryOnExitCodes[0]: must be an exit code from 1 to 255, was 0"));
            assertThat(error(AGENT + "tasks:\n  - name: a\n    retry:\n      delay: 10s\n"))
                    .isEqualTo(at(7, "tasks[0].retry.delay: must not exceed maxDelay (5s by default), was 10s"));
        }

        @Test
        void taskRetryContradictsTheWorkflowOrItsAgent() throws IOException {
            assertThat(error("""
                    retry:
                      maxDelay: 2s
                    agents:
                      - name: a
                        command: cat
                    tasks:
                      - name: t
                        retry:
                          delay: 3s
                    """)).isEqualTo(at(9, "tasks[0].retry.delay: must not exceed maxDelay (2s from the "
                    + "workflow's retry block), was 3s"));
            assertThat(error("""
                    agents:
                      - name: a
                        command: cat
                        retry:
                          retryOnExitCodes: [3, 4]
                    tasks:
                      - glob: "*.txt"
                        retry:
                          abortOnExitCodes: [4]
                    """)).isEqualTo(at(9, "tasks[0].retry.abortOnExitCodes[0]: 4 is also in retryOnExitCodes "
                    + "(from agent a's retry block); an exit code is either retried or aborted on"));
        }

        @Test
        void taskRetryWithAgentsOfTheirOwnInAFanout() throws IOException {
            assertThat(error("""
                    mode: fanout
                    agents:
                      - name: a
                        command: cat
                      - name: b
                        command: cat
                        retries: 4
                    tasks:
                      - name: t
                        retries: 1
                    """)).isEqualTo(at(10, "tasks[0].retries: a task's own retries and retry apply over its "
                    + "agent's, and in mode: fanout its agents would need different ones: agents[1] at line 5 sets "
                    + "its own; set them on the agents or on the tasks, not both"));
        }

        @Test
        void duplicateNames() throws IOException {
            WorkflowFileException e = failure("""
                    name: dup
                    maxWorkers: 2
                    tasks:
                      - name: b
                      - name: c
                      - name: a
                        input: one

                      - name: a
                        input: two
                    """);
            assertThat(e.getMessage()).isEqualTo(at(9, "tasks[3].name: duplicate task name 'a' (first at line 6)"));
        }

        @Test
        void emptyName() throws IOException {
            assertThat(error("""
                    tasks:
                      - name: ""
                    """)).isEqualTo(at(2, "tasks[0].name: must not be empty"));
        }

        @Test
        void inputsFileNotFound() throws IOException {
            assertThat(error("""
                    tasks:
                      - name: a
                      - inputs: names.txt
                    """)).isEqualTo(at(3, "tasks[1].inputs: file not found: " + dir.resolve("names.txt")));
        }

        @Test
        void inputsIsADirectory() throws IOException {
            Files.createDirectory(dir.resolve("names"));
            assertThat(error("""
                    tasks:
                      - inputs: names
                    """)).isEqualTo(at(2, "tasks[0].inputs: is a directory, not a file: " + dir.resolve("names")));
        }

        @Test
        void globDirectoryNotFound() throws IOException {
            assertThat(error("""
                    tasks:
                      - glob: /nope-mpflow-test/**/*.txt
                    """)).isEqualTo(at(2, "tasks[0].glob: no such directory: /nope-mpflow-test"));
        }

        @Test
        void relativeGlobDirectoryNotFound() throws IOException {
            assertThat(error("""
                    tasks:
                      - glob: data/*.txt
                    """)).isEqualTo(at(2, "tasks[0].glob: no such directory: " + dir.resolve("data")));
        }

        @Test
        void globWithoutAFilePattern() throws IOException {
            assertThat(error("""
                    tasks:
                      - glob: data/
                    """)).isEqualTo(at(2, "tasks[0].glob: must end with a file pattern, such as *.txt or **"));
        }

        @Test
        void malformedGlob() throws IOException {
            assertThat(error("""
                    tasks:
                      - glob: "*.{txt"
                    """)).isEqualTo(at(2, "tasks[0].glob: invalid glob: Missing '}"));
        }

        @Test
        void inputWithGlob() throws IOException {
            assertThat(error("""
                    tasks:
                      - glob: "*.txt"
                        input: hello
                    """)).isEqualTo(at(3,
                    "tasks[0].input: only allowed with name; with glob, each task's input is its file's path"));
        }

        @Test
        void inputWithInputs() throws IOException {
            Files.writeString(dir.resolve("names.txt"), "a\n");
            assertThat(error("""
                    tasks:
                      - inputs: names.txt
                        input: hello
                    """)).isEqualTo(at(3,
                    "tasks[0].input: only allowed with name; with inputs, each task's input is its line"));
        }

        @Test
        void unsetEnvironmentVariable() throws IOException {
            assertThat(error("tasks:\n  - name: a\n    input: ${env." + UNSET + "}\n"))
                    .isEqualTo(at(3, "tasks[0].input: environment variable " + UNSET + " is not set"));
        }

        @Test
        void priorityNotANumber() throws IOException {
            assertThat(error("""
                    tasks:
                      - name: a
                        priority: high
                    """)).isEqualTo(at(3, "tasks[0].priority: must be a whole number, was \"high\""));
        }

        @Test
        void badTaskTimeout() throws IOException {
            assertThat(error("""
                    tasks:
                      - name: a
                        timeout: 10
                    """)).isEqualTo(at(3, "tasks[0].timeout: \"10\" is not a duration: the unit is required,"
                    + " such as 500ms, 30s, 5m or 2h"));
        }

        @Test
        void tasksNotAList() throws IOException {
            assertThat(error("tasks: hello\n")).isEqualTo(at(1, "tasks: must be a list, was \"hello\""));
        }

        @Test
        void taskNotAMapping() throws IOException {
            assertThat(error("""
                    tasks:
                      - hello
                    """)).isEqualTo(at(2, "tasks[0]: must be a mapping with name, inputs or glob, was \"hello\""));
        }
    }
}
