package dev.mpflow;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A unit of work: a name, an optional input text, an optional function that runs in a worker process, a priority
 * and an optional timeout. Immutable and thread-safe.
 *
 * <p>Without agents, a workflow runs the task's function on its input. With agents, the value that enters the
 * first agent is the function's result, or the input itself when the task has no function.
 *
 * <p>Higher priorities run first; tasks of equal priority run in the order they were submitted.
 */
public final class Task {
    private final String name;
    private final String input;
    private final TaskFunction function;
    private final int priority;
    private final Duration timeout;
    private final RetrySettings retry;

    private Task(Builder b) {
        this.name = b.name;
        this.input = b.input;
        this.function = b.function;
        this.priority = b.priority;
        this.timeout = b.timeout;
        this.retry = b.retry;
    }

    /** A task that runs {@code function} with an empty input, priority 0 and the workflow's timeout. */
    public static Task of(String name, TaskFunction function) {
        return builder(name).function(function).build();
    }

    /** A task with no function: its input goes straight to the workflow's agents. */
    public static Task ofInput(String name, String input) {
        return builder(name).input(input).build();
    }

    /** Starts a builder for a task called {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** The input text; empty when none was given. */
    public String input() {
        return input;
    }

    /** The function to run, if the task has one. */
    public Optional<TaskFunction> function() {
        return Optional.ofNullable(function);
    }

    public int priority() {
        return priority;
    }

    /** The per-attempt timeout, if this task overrides the workflow's. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** The retry settings, if this task overrides the workflow's. */
    public Optional<RetrySettings> retry() {
        return Optional.ofNullable(retry);
    }

    /** A builder holding this task's settings, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.input = input;
        b.function = function;
        b.priority = priority;
        b.timeout = timeout;
        b.retry = retry;
        return b;
    }

    @Override
    public String toString() {
        return "Task[" + name + (input.isEmpty() ? "" : ", input=" + input) + ", priority=" + priority + "]";
    }

    /** Builds a {@link Task}; not thread-safe. Each setter validates its argument and names it on error. */
    public static final class Builder {
        private final String name;
        private String input = "";
        private TaskFunction function;
        private int priority;
        private Duration timeout;
        private RetrySettings retry;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("task name must not be blank");
            }
            this.name = name;
        }

        public Builder input(String input) {
            this.input = Objects.requireNonNull(input, "input");
            return this;
        }

        public Builder function(TaskFunction function) {
            this.function = Objects.requireNonNull(function, "function");
            return this;
        }

        /** Higher runs first; default 0. */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /** Per-attempt timeout; past it the worker is killed and the attempt counts as timed out. */
        public Builder timeout(Duration timeout) {
            this.timeout = RetrySettings.requirePositive("timeout", timeout);
            return this;
        }

        /** Retry settings for this task alone, instead of the workflow's. */
        public Builder retry(RetrySettings retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        public Task build() {
            return new Task(this);
        }
    }
}
