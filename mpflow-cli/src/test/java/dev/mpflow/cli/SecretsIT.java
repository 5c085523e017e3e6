package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values from the environment and values marked secret never reach what mpflow writes (standard error, JSON and
 * table output, the store, the history commands), end to end on the real command line; the programs get them.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(180)
class SecretsIT {
    private static final String TOKEN = "hunter2SECRET";

    @TempDir
    Path dir;

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private Cli.Result mpflow(Map<String, String> env, String... args) {
        ProcessBuilder pb = Cli.builder(dir, args);
        pb.environment().putAll(env);
        return Cli.run(pb, "", Duration.ofSeconds(120));
    }

    /** Fails naming the file when a file of the store (database, WAL, shared memory) holds {@code text}. */
    private void assertStoreNeverHolds(String store, String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        List<Path> files;
        try (Stream<Path> all = Files.list(dir)) {
            files = all.filter(p -> p.getFileName().toString().startsWith(store)).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            for (int i = 0; i + needle.length <= bytes.length; i++) {
                assertThat(Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length))
                        .as("%s holds the secret at byte %d", f, i).isFalse();
            }
        }
    }

    @Test
    void anEnvironmentValueInACommandIsMaskedInTheWarningTheJsonErrorAndTheStore() throws Exception {
        write("sec.yaml", """
                name: sec
                retries: 1
                retry:
                  delay: 10ms
                agents:
                  - name: fail
                    command: sh -c "exit 1" ${env.MYTOKEN} {}
                tasks:
                  - name: a
                    input: hello
                """);

        Cli.Result r = mpflow(Map.of("MYTOKEN", TOKEN), "run", "sec.yaml", "--store", "sec.db", "-v");

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).contains("WARN", "sh -c exit 1 *** hello exited with code 1").doesNotContain(TOKEN);
        assertThat(r.stdout()).doesNotContain(TOKEN);
        assertThat(Cli.jsonLines(r)).singleElement().satisfies(n -> assertThat(n.get("error").asText())
                .isEqualTo("dev.mpflow.CommandFailedException: sh -c exit 1 *** hello exited with code 1"));
        assertStoreNeverHolds("sec.db", TOKEN);
        for (String[] command : List.of(new String[] {"runs"}, new String[] {"show", "latest"},
                new String[] {"show", "latest", "a"}, new String[] {"export", "latest"},
                new String[] {"export", "latest", "--format", "csv"})) {
            List<String> args = new java.util.ArrayList<>(List.of(command));
            args.addAll(List.of("--store", "sec.db"));
            Cli.Result history = mpflow(Map.of(), args.toArray(String[]::new));
            assertThat(history.exitCode()).as(history.stderr()).isZero();
            assertThat(history.stdout()).doesNotContain(TOKEN);
        }
        assertThat(mpflow(Map.of(), "show", "latest", "a", "--store", "sec.db").stdout())
                .contains("sh -c exit 1 *** hello exited with code 1");
    }

    @Test
    void programsGetTheRealValuesWhileOutputValuesNamesAndTablesShowThemMasked() throws Exception {
        // The program reads OTHER itself; the file marks it secret, and a literal value as well.
        write("wf.yaml", """
                name: deploy-${env.MYTOKEN}
                maxWorkers: 2
                retries: 0
                secrets:
                  - ${env.OTHER}
                  - literal-s3cret
                agents:
                  - name: use
                    command: sh -c 'echo "$0" > "got-$1.txt"; echo "token $0 and $OTHER"; echo "err literal-s3cret" >&2; [ "$1" != bad ]' ${env.MYTOKEN} {}
                tasks:
                  - name: good
                    input: good
                  - name: bad
                    input: bad
                """);
        Map<String, String> env = Map.of("MYTOKEN", TOKEN, "OTHER", "other-value");

        Cli.Result r = mpflow(env, "run", "wf.yaml", "--store", "runs.db");

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("got-good.txt")).strip()).isEqualTo(TOKEN);
        List<JsonNode> results = Cli.jsonLines(r);
        assertThat(results).extracting(n -> n.get("task").asText()).containsExactlyInAnyOrder("good", "bad");
        JsonNode good = results.stream().filter(n -> n.get("task").asText().equals("good")).findFirst()
                .orElseThrow();
        assertThat(good.get("result").asText()).isEqualTo("token *** and ***");
        for (String secret : List.of(TOKEN, "other-value", "literal-s3cret")) {
            assertThat(r.stdout()).doesNotContain(secret);
            assertThat(r.stderr()).doesNotContain(secret);
        }
        Cli.Result table = mpflow(env, "run", "wf.yaml", "--store", "runs.db", "--output", "table", "--retry-failed");
        assertThat(table.exitCode()).as(table.stderr()).isEqualTo(1);
        assertThat(table.stdout()).contains("bad").doesNotContain(TOKEN).doesNotContain("other-value");
        Cli.Result show = mpflow(Map.of(), "show", "latest", "bad", "--store", "runs.db");
        assertThat(show.stdoutLines()).contains("stderr:", "  err ***");
        Cli.Result runs = mpflow(Map.of(), "runs", "--store", "runs.db");
        assertThat(runs.stdoutLines()).hasSize(2).last().asString().contains("deploy-***");
        for (String secret : List.of(TOKEN, "other-value", "literal-s3cret")) {
            assertStoreNeverHolds("runs.db", secret);
            assertThat(show.stdout()).doesNotContain(secret);
        }
    }

    @Test
    void mistakesAboutSecretsAreOneLineAndMessagesNeverQuoteThem() throws Exception {
        write("short.yaml", """
                agents:
                  - name: a
                    command: echo {}
                secrets:
                  - ok-long-enough
                  - abc
                tasks:
                  - name: t
                """);
        Cli.Result tooShort = mpflow(Map.of(), "run", "short.yaml");
        assertThat(tooShort.exitCode()).isEqualTo(2);
        assertThat(tooShort.stderrLines()).containsExactly(
                "mpflow: short.yaml:6: secrets[1]: a secret must have at least 4 characters, this one has 3");

        write("list.yaml", """
                secrets: ${env.MYTOKEN}
                agents:
                  - name: a
                    command: echo {}
                tasks:
                  - name: t
                """);
        Cli.Result notAList = mpflow(Map.of("MYTOKEN", TOKEN), "run", "list.yaml");
        assertThat(notAList.exitCode()).isEqualTo(2);
        assertThat(notAList.stderrLines()).singleElement().asString()
                .startsWith("mpflow: list.yaml:1: secrets: must be a list").doesNotContain(TOKEN);

        // A problem found in a value that holds a secret is reported with it masked.
        write("missing.yaml", """
                agents:
                  - name: a
                    command: echo {}
                tasks:
                  - inputs: ${env.MYTOKEN}.txt
                """);
        Cli.Result missing = mpflow(Map.of("MYTOKEN", TOKEN), "run", "missing.yaml");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderrLines()).singleElement().asString()
                .matches("mpflow: missing\\.yaml:5: tasks\\[0\\]\\.inputs: file not found: .*/\\*\\*\\*\\.txt");
    }
}
