package dev.mpflow;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.SubmittedTask;
import dev.mpflow.event.WorkflowListener;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Values marked secret never leave a workflow unmasked, whatever carries them out: results, every kind of event, log
 * lines; while the tasks themselves get the real values. With real worker processes.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class SecretMaskingIT {
    private static final String SECRET = "hunter2SECRET";

    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Logger root;
    private Level rootLevel;

    @BeforeEach
    void captureLogs() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void stopCapturing() {
        root.detachAppender(logged);
        root.setLevel(rootLevel);
    }

    /** A value of the caller's own class whose text shows the secret. */
    record Credentials(String user, String token) implements Serializable {
    }

    @Test
    void secretsAreMaskedInResultsEventsAndLogsWhileTasksGetTheRealValues() throws Exception {
        Path seen = tmp.resolve("seen.txt");
        String seenPath = seen.toString();
        List<String> reported = new CopyOnWriteArrayList<>();
        WorkflowListener listener = new WorkflowListener() {
            @Override
            public void runStarted(RunInfo run) {
                reported.add(run.toString());
            }

            @Override
            public void taskSubmitted(SubmittedTask task) {
                reported.add(task + " " + task.key());
            }

            @Override
            public void attemptStarted(String runId, String task, int attempt, long workerPid) {
                reported.add(task);
            }

            @Override
            public void attemptFinished(AttemptRecord attempt) {
                reported.add(attempt.toString());
            }

            @Override
            public void taskFinished(String runId, TaskResult result) {
                reported.add(result.toString());
            }

            @Override
            public void runFinished(RunInfo run, RunSummary summary) {
                reported.add(run + " " + summary);
            }
        };
        Task.Builder echo = Task.builder("echo for " + SECRET).input("token=" + SECRET).function(in -> {
            Files.writeString(Path.of(seenPath), in, StandardCharsets.UTF_8);
            System.out.println("out " + in);
            System.err.println("err " + in);
            return "value " + in;
        });
        Task fails = Task.builder("fails").input(SECRET).retry(RetrySettings.builder().maxAttempts(2)
                .delay(java.time.Duration.ofMillis(1)).build()).function(in -> {
                    throw new IllegalStateException("bad token " + in);
                }).build();
        Task bytes = Task.builder("bytes").input(SECRET).function(in -> ("<" + in + ">")
                .getBytes(StandardCharsets.UTF_8)).build();
        Task object = Task.builder("object").input(SECRET).function(in -> new Credentials("me", in)).build();
        Task plain = Task.builder("plain").input("nothing to hide").function(in -> new Credentials("me", "none"))
                .build();

        List<TaskResult> results;
        try (MultiProcessWorkflow wf = MultiProcessWorkflow.builder().name("deploy " + SECRET).maxWorkers(2)
                .autosave(false).secret(SECRET).listener(listener)
                .workerJvmOptions(List.of("-Dmpflow.test.token=" + SECRET)).build()) {
            assertThat(wf.name()).isEqualTo("deploy " + SECRET);
            results = wf.runAll(List.of(echo.build(), fails, bytes, object, plain)).toList();
        }

        // The task got the real value...
        assertThat(Files.readString(seen)).isEqualTo("token=" + SECRET);
        // ...and nothing that came out shows it.
        TaskResult first = results.get(0);
        assertThat(first.task()).isEqualTo("echo for ***");
        assertThat(first.input()).isEqualTo("token=***");
        assertThat(first.value()).isEqualTo("value token=***");
        assertThat(first.stdout()).isEqualTo("out token=***\n");
        assertThat(first.stderr()).isEqualTo("err token=***\n");
        TaskResult failed = results.get(1);
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.error().orElseThrow().message()).isEqualTo("bad token ***");
        assertThat(failed.error().orElseThrow().remoteStackTrace()).contains("bad token ***")
                .doesNotContain(SECRET);
        assertThat(new String((byte[]) results.get(2).value(), StandardCharsets.UTF_8)).isEqualTo("<***>");
        assertThat(results.get(3).value()).isEqualTo("Credentials[user=me, token=***]");
        // A value whose text shows no secret stays the caller's object.
        assertThat(results.get(4).value()).isEqualTo(new Credentials("me", "none"));
        assertThat(results).allSatisfy(r -> assertThat(r.toString()).doesNotContain(SECRET));

        assertThat(reported).isNotEmpty().allSatisfy(e -> assertThat(e).doesNotContain(SECRET));
        assertThat(reported).anySatisfy(e -> assertThat(e).contains("workflowName=deploy ***"));
        assertThat(reported).anySatisfy(e -> assertThat(e).contains("-Dmpflow.test.token=***"));

        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : logged.list) {
            lines.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : ThrowableProxyUtil.asString(e.getThrowableProxy())));
        }
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("bad token ***"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("workflow 'deploy ***'"));
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain(SECRET));
    }

    @Test
    void tasksThatDifferOnlyInSecretsAreOccurrencesOfTheirOwnAndMapResultsAreMaskedToo() {
        String other = "swordfish9OTHER";
        List<SubmittedTask> submitted = new CopyOnWriteArrayList<>();
        List<AttemptRecord> attempts = new CopyOnWriteArrayList<>();
        WorkflowListener listener = new WorkflowListener() {
            @Override
            public void taskSubmitted(SubmittedTask task) {
                submitted.add(task);
            }

            @Override
            public void attemptFinished(AttemptRecord attempt) {
                attempts.add(attempt);
            }
        };
        List<TaskResult> results;
        List<String> mapped;
        try (MultiProcessWorkflow wf = MultiProcessWorkflow.builder().maxWorkers(1).autosave(false).secret(SECRET)
                .secret(other).listener(listener).build()) {
            results = wf.runAll(List.of(Task.builder("t").input("key " + SECRET).function(in -> "ok").build(),
                    Task.builder("t").input("key " + other).function(in -> "ok").build())).toList();
            mapped = wf.map(x -> "got " + x, List.of(SECRET, "plain"));
        }

        // Both are "t" on "key ***" as reported: two occurrences, so that neither's record replaces the other's.
        assertThat(results).extracting(TaskResult::input, TaskResult::occurrence)
                .containsExactly(org.assertj.core.api.Assertions.tuple("key ***", 1),
                        org.assertj.core.api.Assertions.tuple("key ***", 2));
        assertThat(results).extracting(TaskResult::key).containsExactly(
                TaskKey.of("t", java.util.Optional.empty(), "key ***", 1),
                TaskKey.of("t", java.util.Optional.empty(), "key ***", 2));
        assertThat(submitted).extracting(SubmittedTask::input, SubmittedTask::occurrence, SubmittedTask::key)
                .containsExactly(org.assertj.core.api.Assertions.tuple("key ***", 1, results.get(0).key()),
                        org.assertj.core.api.Assertions.tuple("key ***", 2, results.get(1).key()));
        assertThat(attempts).extracting(a -> a.taskKey().orElseThrow())
                .containsExactlyInAnyOrder(results.get(0).key(), results.get(1).key());
        // A map's values are masked one by one, and stay a list of them.
        assertThat(mapped).containsExactly("got ***", "got plain");
    }

    @Test
    void aSecretTooShortToMaskIsRefusedWithoutShowingIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MultiProcessWorkflow.builder().secret("abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a secret must have at least 4 characters, this one has 3");
    }
}
