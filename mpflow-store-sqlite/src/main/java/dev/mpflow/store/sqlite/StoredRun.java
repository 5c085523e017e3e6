package dev.mpflow.store.sqlite;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A run as stored: one row of the {@code runs} table. A resumed run keeps its row: its id, its start and its
 * counts, which cover every process that worked on it.
 *
 * @param runId the run's unique id
 * @param workflow the workflow's name
 * @param startedAt when the run first started (a resume keeps it)
 * @param endedAt when its last process ended it; empty while it runs, or if its process died before closing the
 *     workflow
 * @param status running, finished or halted
 * @param host the name of the machine that ran it last ({@code unknown} when it could not be found)
 * @param maxWorkers the most worker processes at once, in its last process
 * @param agents the agents' names, in order
 * @param settings a one-line description of the settings of its last process
 * @param tasks the run's tasks across all its processes: every task submitted, started or not (one per task key;
 *     for runs recorded before stores kept tasks, those with a result), plus those its last process was going to
 *     submit and had not yet (when its caller said how many); {@code succeeded + failed + pending() == tasks}
 * @param succeeded final results that succeeded; for a {@link Status#RUNNING running} run, those committed so far
 * @param failed final results that failed, timed out or crashed; for a running run, those committed so far
 * @param cancelled final results of tasks that did not finish because the run stopped first: halted, past its
 *     deadline, interrupted or closed; for a running run, those committed so far (0 for runs recorded before
 *     stores counted them)
 * @param retried final results that needed more than one attempt; for a running run, those committed so far
 * @param skipped tasks that the last process of the run did not run because an earlier process had done them (0
 *     while it runs)
 * @param haltReason why the run stopped early, present exactly when it is {@link Status#HALTED halted}
 * @param definitionHash the hash of the workflow's definition the run was started (or last resumed) with, when the
 *     caller gave one
 */
public record StoredRun(String runId, String workflow, Instant startedAt, Optional<Instant> endedAt, Status status,
        String host, int maxWorkers, List<String> agents, String settings, long tasks, long succeeded, long failed,
        long cancelled, long retried, long skipped, Optional<String> haltReason, Optional<String> definitionHash) {

    /** Where a run stands. */
    public enum Status {
        /**
         * Started or resumed and not ended: still going, or its process died (crash, kill, power cut) before it
         * could end the run. Either way its unfinished tasks have not run.
         */
        RUNNING,
        /** Ended with every task it was given at a final result, and nothing halted it. */
        FINISHED,
        /**
         * Ended early: a halt policy, its deadline or an interruption stopped it, or tasks were cancelled because
         * the workflow was closed first. {@link StoredRun#haltReason()} says why.
         */
        HALTED;

        /** The name stored in the database: {@code running}, {@code finished} or {@code halted}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The status stored as {@code wireName}. */
        static Optional<Status> ofWireName(String wireName) {
            for (Status status : values()) {
                if (status.wireName().equals(wireName)) {
                    return Optional.of(status);
                }
            }
            return Optional.empty();
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
        Objects.requireNonNull(haltReason, "haltReason");
        Objects.requireNonNull(definitionHash, "definitionHash");
    }

    /**
     * The tasks without a final success or failure: never started (never even submitted, for a run cut short),
     * unfinished (their process died), or cancelled. What a resume of the run would run.
     */
    public long pending() {
        return Math.max(0, tasks - succeeded - failed);
    }

    /** Whether the run {@link Status#FINISHED finished}: ended, and not halted. */
    public boolean finished() {
        return status == Status.FINISHED;
    }

    /**
     * Whether the run has work left that a resume would do without being asked to retry failures: it is
     * {@link Status#RUNNING running} (or its process died) or {@link Status#HALTED halted}.
     */
    public boolean unfinished() {
        return status != Status.FINISHED;
    }
}
