package dev.mpflow.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Looks at and ends processes by id, for tests that kill workers from outside or check that what a worker started
 * is gone. A {@link ProcessHandle} remembers its process's start time, so a handle taken in a snapshot never
 * matches a later process that reuses the id.
 */
public final class ProcessTree {
    private ProcessTree() {
    }

    /** Whether a process with this id is running now. */
    public static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessTree::running).orElse(false);
    }

    /**
     * Whether the process runs: alive, and not a zombie. A process that has ended stays in the process table until
     * its parent reaps it; an orphan's new parent (init, or a container's first process) may take its time, but
     * the process itself is gone.
     */
    public static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            // The state follows the command name, which is in parentheses and may hold spaces.
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return p.isAlive();
        }
    }

    /** Every descendant of {@code pid} alive now (children, their children, ...); empty when it is not running. */
    public static List<ProcessHandle> descendantsOf(long pid) {
        return ProcessHandle.of(pid).map(p -> p.descendants().filter(ProcessTree::running).toList())
                .orElse(List.of());
    }

    /** The descendants of {@code pid} alive now whose executable's path ends with {@code command}, such as "sleep". */
    public static List<ProcessHandle> descendantsRunning(long pid, String command) {
        Predicate<ProcessHandle> runs = p -> p.info().command().map(c -> c.endsWith("/" + command) || c.equals(command))
                .orElse(false);
        return descendantsOf(pid).stream().filter(runs).toList();
    }

    /**
     * Sends SIGKILL to the process, as {@code kill -9} would: no shutdown hook, no finally block runs.
     *
     * @return whether the signal was sent (false when the process was already gone)
     */
    public static boolean sigkill(long pid) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        return p.isPresent() && p.get().destroyForcibly();
    }

    /** The processes of {@code handles} still alive, as "pid command line" lines. */
    public static List<String> describeAlive(Collection<ProcessHandle> handles) {
        return handles.stream().filter(ProcessTree::running)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }

    /** Waits until every one of {@code handles} has ended; fails naming the ones left after {@code atMost}. */
    public static void awaitAllDead(String what, Collection<ProcessHandle> handles, Duration atMost) {
        try {
            await(what).atMost(atMost).pollInterval(Duration.ofMillis(20))
                    .until(() -> handles.stream().noneMatch(ProcessTree::running));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + ": still alive after " + atMost.toMillis() + " ms: "
                    + describeAlive(handles), e);
        }
    }

    /** Kills every process of {@code handles} still alive: the clean-up of a test whose processes leaked. */
    public static void killAll(Collection<ProcessHandle> handles) {
        handles.forEach(ProcessHandle::destroyForcibly);
    }
}
