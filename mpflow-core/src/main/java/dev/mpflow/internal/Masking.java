package dev.mpflow.internal;

import dev.mpflow.Secrets;
import dev.mpflow.TaskError;
import dev.mpflow.TaskResult;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.SubmittedTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies a workflow's {@link Secrets} to what the workflow reports: every text of an event or a result, so that
 * no listener (the store among them), no caller and no printer ever sees a secret. Without secrets every method
 * returns its argument itself, so a workflow that has none pays nothing. Thread-safe.
 *
 * <p>A task's identity ({@link dev.mpflow.TaskKey}) is that of its masked name, agent and input and its occurrence,
 * so that a result the store recorded masked is found again on resume.
 */
final class Masking {
    private final Secrets secrets;

    Masking(Secrets secrets) {
        this.secrets = secrets;
    }

    boolean isEmpty() {
        return secrets.isEmpty();
    }

    String text(String text) {
        return secrets.mask(text);
    }

    Optional<String> text(Optional<String> text) {
        return secrets.isEmpty() ? text : text.map(secrets::mask);
    }

    Optional<TaskError> error(Optional<TaskError> error) {
        if (secrets.isEmpty() || error.isEmpty()) {
            return error;
        }
        TaskError e = error.get();
        return Optional.of(new TaskError(secrets.mask(e.type()), secrets.mask(e.message()),
                secrets.mask(e.remoteStackTrace())));
    }

    RunInfo run(RunInfo r) {
        if (secrets.isEmpty()) {
            return r;
        }
        return new RunInfo(r.runId(), secrets.mask(r.workflowName()), r.startedAt(), r.maxWorkers(),
                r.agents().stream().map(secrets::mask).toList(), secrets.mask(r.settings()), r.definitionHash(),
                r.resumed(), r.expectedTasks());
    }

    RunSummary summary(RunSummary s) {
        if (secrets.isEmpty() || s.haltReason().isEmpty()) {
            return s;
        }
        return new RunSummary(s.succeeded(), s.failed(), s.cancelled(), s.skipped(), s.leftOut(), s.retried(),
                s.wallTime(), text(s.haltReason()));
    }

    SubmittedTask submitted(SubmittedTask t) {
        if (secrets.isEmpty()) {
            return t;
        }
        return new SubmittedTask(t.runId(), secrets.mask(t.task()), text(t.agent()), secrets.mask(t.input()),
                t.priority(), t.doneEarlier(), t.occurrence());
    }

    AttemptRecord attempt(AttemptRecord a) {
        if (secrets.isEmpty()) {
            return a;
        }
        return new AttemptRecord(a.runId(), secrets.mask(a.task()), text(a.agent()), a.attempt(), a.workerPid(),
                a.startedAt(), a.endedAt(), a.status(), error(a.error()), secrets.mask(a.stdout()),
                secrets.mask(a.stderr()), a.taskKey());
    }

    TaskResult result(TaskResult r) {
        if (secrets.isEmpty()) {
            return r;
        }
        return new TaskResult(secrets.mask(r.task()), text(r.agent()), secrets.mask(r.input()), r.status(),
                value(r.value()), error(r.error()), r.attempts(), r.workerPid(), r.startedAt(), r.endedAt(),
                secrets.mask(r.stdout()), secrets.mask(r.stderr()), r.occurrence(), r.valueSize());
    }

    /**
     * A {@code map} chunk's result: as {@link #result}, but its value, the list of the chunk's results, stays a list,
     * each element masked as a task's value is.
     */
    TaskResult chunkResult(TaskResult r) {
        if (secrets.isEmpty()) {
            return r;
        }
        Object value = r.value();
        if (value instanceof List<?> elements) {
            List<Object> masked = new ArrayList<>(elements.size());
            for (Object element : elements) {
                masked.add(value(element));
            }
            value = masked;
        }
        return new TaskResult(secrets.mask(r.task()), text(r.agent()), secrets.mask(r.input()), r.status(), value,
                error(r.error()), r.attempts(), r.workerPid(), r.startedAt(), r.endedAt(), secrets.mask(r.stdout()),
                secrets.mask(r.stderr()), r.occurrence(), r.valueSize());
    }

    /**
     * Text and bytes masked; any other value replaced by its masked text when its text holds a secret (what the
     * store and the command line would write of it), and kept as it is otherwise. Numbers and booleans are kept:
     * their text is too short to hide anything.
     */
    private Object value(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean || value instanceof Character) {
            return value;
        }
        if (value instanceof String s) {
            return secrets.mask(s);
        }
        if (value instanceof byte[] b) {
            return secrets.mask(b);
        }
        String text;
        try {
            text = String.valueOf(value);
        } catch (RuntimeException e) {
            // The value's own toString() is user code; what cannot be printed cannot leak either.
            return value;
        }
        String masked = secrets.mask(text);
        return masked.equals(text) ? value : masked;
    }
}
