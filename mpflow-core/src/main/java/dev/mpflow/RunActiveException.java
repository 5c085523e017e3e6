package dev.mpflow;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Thrown when a workflow would continue a run that another process is still running (a resume, or a retry of its
 * failed tasks): two processes working on one run would run its pending tasks twice. Nothing of the run has been
 * started or recorded when it is thrown. The message is one line naming the run and, when known, the process and
 * its host.
 */
public class RunActiveException extends MpflowException {
    private static final long serialVersionUID = 1L;

    private final String runId;
    private final long pid;
    private final String host;

    /**
     * @param runId the run
     * @param pid the process running it, or a negative number when unknown
     * @param host the host of that process, or {@code null} when unknown
     */
    public RunActiveException(String runId, long pid, String host) {
        super(describe(Objects.requireNonNull(runId, "runId"), pid, host));
        this.runId = runId;
        this.pid = pid;
        this.host = host;
    }

    private static String describe(String runId, long pid, String host) {
        String where = pid >= 0 ? "in process " + pid + (host != null ? " on host " + host : "")
                : "in another process";
        return "run " + runId + " is still running " + where + "; wait for it or stop it";
    }

    /** The run another process is running. */
    public String runId() {
        return runId;
    }

    /** The process running it, when known. */
    public OptionalLong pid() {
        return pid >= 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** The host of that process, when known. */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }
}
