package dev.mpflow.store.sqlite;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A run as stored: one row of the {@code runs} table.
 *
 * @param runId the run's unique id
 * @param workflow the workflow's name
 * @param startedAt when the run started
 * @param endedAt when it ended; empty while it runs, or if its process died before closing the workflow
 * @param status whether the run finished
 * @param host the name of the machine that ran it ({@code unknown} when it could not be found)
 * @param maxWorkers the most worker processes at once
 * @param agents the agents' names, in order
 * @param settings a one-line description of the run's settings
 * @param succeeded results that succeeded (0 until the run finished)
 * @param failed results that failed, timed out or crashed (0 until the run finished)
 * @param cancelled results of tasks that did not finish because the run stopped first: halted, past its deadline,
 *     interrupted or closed (0 until the run finished, and for runs recorded before stores counted them)
 * @param retried results that needed more than one attempt (0 until the run finished)
 */
public record StoredRun(String runId, String workflow, Instant startedAt, Optional<Instant> endedAt, Status status,
        String host, int maxWorkers, List<String> agents, String settings, long succeeded, long failed,
        long cancelled, long retried) {

    /** Whether a run is still going (or died without finishing) or has finished. */
    public enum Status {
        /** Started and not (yet) finished. */
        RUNNING,
        /** The workflow was closed and the counts recorded. */
        FINISHED;

        /** The name stored in the database: {@code running} or {@code finished}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Checks that no component is {@code null} and copies {@code agents}. */
    public StoredRun {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(workflow, "workflow");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(host, "host");
        agents = List.copyOf(agents);
        Objects.requireNonNull(settings, "settings");
    }

    /** Whether the run finished. */
    public boolean finished() {
        return status == Status.FINISHED;
    }
}
