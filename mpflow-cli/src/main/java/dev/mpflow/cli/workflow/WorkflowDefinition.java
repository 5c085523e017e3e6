package dev.mpflow.cli.workflow;

import dev.mpflow.HaltPolicy;
import dev.mpflow.RetrySettings;
import dev.mpflow.Secrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A validated workflow file: its settings, its command agents and its tasks. Settings the file leaves out are
 * empty, so that the caller can apply its own defaults or command-line flags. Immutable; obtained from
 * {@link WorkflowFileLoader#load}.
 *
 * <p>Tasks read from an inputs file or a glob are not held in memory: {@link #tasks()} reads them again on each
 * iteration, so the files must stay in place until the tasks have been submitted.
 */
public final class WorkflowDefinition {
    private final Path file;
    private final String name;
    private final OptionalInt maxWorkers;
    private final Optional<Boolean> autosave;
    private final Optional<Path> store;
    private final OptionalInt retries;
    private final Optional<RetrySettings> retry;
    private final Optional<Duration> timeout;
    private final Optional<HaltPolicy> halt;
    private final Optional<Duration> deadline;
    private final Optional<Duration> grace;
    private final OptionalInt captureLimit;
    private final OptionalLong maxResultSize;
    private final Mode mode;
    private final List<AgentSpec> agents;
    private final List<TaskSource> taskSources;
    private final List<TaskRetry> taskRetries;
    private final Secrets secrets;
    private final Map<String, Integer> lines;
    private final byte[] content;

    private WorkflowDefinition(Builder b) {
        this.file = Objects.requireNonNull(b.file, "file");
        this.name = Objects.requireNonNull(b.name, "name");
        this.maxWorkers = b.maxWorkers;
        this.autosave = b.autosave;
        this.store = b.store;
        this.retries = b.retries;
        this.retry = b.retry;
        this.timeout = b.timeout;
        this.halt = b.halt;
        this.deadline = b.deadline;
        this.grace = b.grace;
        this.captureLimit = b.captureLimit;
        this.maxResultSize = b.maxResultSize;
        this.mode = b.mode;
        this.agents = List.copyOf(b.agents);
        this.taskSources = List.copyOf(b.taskSources);
        this.taskRetries = List.copyOf(b.taskRetries);
        this.secrets = b.secrets;
        this.lines = Map.copyOf(b.lines);
        this.content = b.content.clone();
    }

    /** The workflow file's bytes as they were read (once: the file may be a pipe), such as for a hash of them. */
    public byte[] content() {
        return content.clone();
    }

    static Builder builder(Path file, String name) {
        return new Builder(file, name);
    }

    /** The workflow file, absolute and normalized. */
    public Path file() {
        return file;
    }

    /** The workflow's name: as given in the file, else the file's name without {@code .yaml} or {@code .yml}. */
    public String name() {
        return name;
    }

    /**
     * The line a top-level field's name is on, counting from 1, such as that of {@code store}; 0 when the file
     * does not set it. For messages about a setting that turns out to be unusable only when it is used.
     */
    public int line(String field) {
        return lines.getOrDefault(field, 0);
    }

    /** The most worker processes to run at once, when the file sets it; at least 1. */
    public OptionalInt maxWorkers() {
        return maxWorkers;
    }

    /** Whether results are saved to the store as they arrive, when the file says. */
    public Optional<Boolean> autosave() {
        return autosave;
    }

    /** The result store's file, when the file names one; absolute. */
    public Optional<Path> store() {
        return store;
    }

    /** The retries after the first attempt, when the file sets them; at least 0. */
    public OptionalInt retries() {
        return retries;
    }

    /**
     * The retry settings, when the file sets {@code retries} or a {@code retry} block: {@link #retries()} plus one
     * attempts, with the rest of the block; what the file leaves out keeps the {@link RetrySettings} defaults.
     */
    public Optional<RetrySettings> retry() {
        return retry;
    }

    /** The per-attempt timeout, when the file sets one; longer than zero. */
    public Optional<Duration> timeout() {
        return timeout;
    }

    /** When failures stop the run early, when the file says ({@code halt: now,fail=1}). */
    public Optional<HaltPolicy> halt() {
        return halt;
    }

    /** How long the whole run may take, when the file sets it; longer than zero. */
    public Optional<Duration> deadline() {
        return deadline;
    }

    /** How long running tasks may take to finish when the run is interrupted, when the file sets it; 0 or more. */
    public Optional<Duration> grace() {
        return grace;
    }

    /** How many bytes of stdout, and as many of stderr, each attempt keeps, when the file sets it; 0 or more. */
    public OptionalInt captureLimit() {
        return captureLimit;
    }

    /** The largest result (a command's output) in bytes, when the file sets it; at least 1. */
    public OptionalLong maxResultSize() {
        return maxResultSize;
    }

    /** How tasks go through the agents; {@link Mode#PIPELINE} unless the file says otherwise. */
    public Mode mode() {
        return mode;
    }

    /**
     * What must never be written out: the values listed under {@code secrets}, and the values the file took from
     * environment variables ({@code ${env.NAME}}), those of fewer than {@value Secrets#MIN_LENGTH} characters
     * excepted.
     */
    public Secrets secrets() {
        return secrets;
    }

    /** The command agents, in the order declared; at least one. */
    public List<AgentSpec> agents() {
        return agents;
    }

    /**
     * The tasks in the order declared, each inputs file's lines in file order and each glob's files sorted by
     * path. Each iteration reads inputs files and directories afresh, holding only what it needs for the next
     * task; an inputs file is closed when its last line has been read.
     *
     * <p>The iterators throw {@link java.io.UncheckedIOException} when a file that was there at load time can no
     * longer be read.
     */
    public Iterable<TaskSpec> tasks() {
        return () -> new Chain(taskSources.iterator());
    }

    /**
     * The entries of {@code tasks} that set retry settings of their own ({@code retries}, {@code retry}), in order:
     * each of their tasks carries the same {@link TaskSpec#retry()}.
     */
    public List<TaskRetry> taskRetries() {
        return taskRetries;
    }

    /** The number of tasks, counted by reading them as {@link #tasks()} would. */
    public long taskCount() {
        long count = 0;
        for (TaskSource source : taskSources) {
            count += source.count();
        }
        return count;
    }

    @Override
    public String toString() {
        return "WorkflowDefinition[" + name + ", " + file + "]";
    }

    /** The tasks of each source in turn, starting a source only when the previous one is exhausted. */
    private static final class Chain implements Iterator<TaskSpec> {
        private final Iterator<TaskSource> sources;
        private Iterator<TaskSpec> current = Collections.emptyIterator();

        Chain(Iterator<TaskSource> sources) {
            this.sources = sources;
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext()) {
                if (!sources.hasNext()) {
                    return false;
                }
                current = sources.next().iterator();
            }
            return true;
        }

        @Override
        public TaskSpec next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }
    }

    /** Collects a definition's parts while the file is read. */
    static final class Builder {
        private final Path file;
        private final String name;
        private OptionalInt maxWorkers = OptionalInt.empty();
        private Optional<Boolean> autosave = Optional.empty();
        private Optional<Path> store = Optional.empty();
        private OptionalInt retries = OptionalInt.empty();
        private Optional<RetrySettings> retry = Optional.empty();
        private Optional<Duration> timeout = Optional.empty();
        private Optional<HaltPolicy> halt = Optional.empty();
        private Optional<Duration> deadline = Optional.empty();
        private Optional<Duration> grace = Optional.empty();
        private OptionalInt captureLimit = OptionalInt.empty();
        private OptionalLong maxResultSize = OptionalLong.empty();
        private Mode mode = Mode.PIPELINE;
        private List<AgentSpec> agents = List.of();
        private List<TaskSource> taskSources = List.of();
        private List<TaskRetry> taskRetries = List.of();
        private Secrets secrets = Secrets.NONE;
        private Map<String, Integer> lines = Map.of();

        private byte[] content = new byte[0];

        private Builder(Path file, String name) {
            this.file = file;
            this.name = name;
        }

        Builder maxWorkers(OptionalInt maxWorkers) {
            this.maxWorkers = maxWorkers;
            return this;
        }

        Builder autosave(Optional<Boolean> autosave) {
            this.autosave = autosave;
            return this;
        }

        Builder store(Optional<Path> store) {
            this.store = store;
            return this;
        }

        Builder retries(OptionalInt retries) {
            this.retries = retries;
            return this;
        }

        Builder retry(Optional<RetrySettings> retry) {
            this.retry = retry;
            return this;
        }

        Builder timeout(Optional<Duration> timeout) {
            this.timeout = timeout;
            return this;
        }

        Builder halt(Optional<HaltPolicy> halt) {
            this.halt = halt;
            return this;
        }

        Builder deadline(Optional<Duration> deadline) {
            this.deadline = deadline;
            return this;
        }

        Builder grace(Optional<Duration> grace) {
            this.grace = grace;
            return this;
        }

        Builder captureLimit(OptionalInt captureLimit) {
            this.captureLimit = captureLimit;
            return this;
        }

        Builder maxResultSize(OptionalLong maxResultSize) {
            this.maxResultSize = maxResultSize;
            return this;
        }

        Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        Builder agents(List<AgentSpec> agents) {
            this.agents = agents;
            return this;
        }

        Builder taskSources(List<TaskSource> taskSources) {
            this.taskSources = taskSources;
            return this;
        }

        Builder taskRetries(List<TaskRetry> taskRetries) {
            this.taskRetries = taskRetries;
            return this;
        }

        Builder secrets(Secrets secrets) {
            this.secrets = secrets;
            return this;
        }

        Builder lines(Map<String, Integer> lines) {
            this.lines = lines;
            return this;
        }

        Builder content(byte[] bytes) {
            this.content = bytes.clone();
            return this;
        }

        WorkflowDefinition build() {
            return new WorkflowDefinition(this);
        }
    }
}
