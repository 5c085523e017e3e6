package dev.mpflow.cli;

import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.cli.workflow.Durations;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM during a run. The first one stops taking tasks and gives the running ones the grace
 * period to finish ({@link MultiProcessWorkflow#stop(Duration)}, on a thread of its own); the second stops them at
 * once. Either way the main thread goes on as usual: it prints the results as they come (unfinished tasks as
 * {@code cancelled}), the summary once, closes the workflow (which writes the store) and exits 130.
 *
 * <p>Handlers replace the JVM's own, so no shutdown hook runs on these signals and nothing races the main thread.
 */
final class Interruptions {
    private static final String[] SIGNALS = {"INT", "TERM"};

    private final MultiProcessWorkflow workflow;
    private final Duration grace;
    private final PrintStream err;
    private final RunningAttempts running;
    private final Runnable stopInputs;
    private final AtomicInteger signals = new AtomicInteger();
    private final Map<Signal, SignalHandler> previous = new HashMap<>();
    private volatile boolean over;
    private volatile boolean stoppedByUs;

    Interruptions(MultiProcessWorkflow workflow, Duration grace, PrintStream err, RunningAttempts running,
            Runnable stopInputs) {
        this.workflow = workflow;
        this.grace = grace;
        this.err = err;
        this.running = running;
        this.stopInputs = stopInputs;
    }

    /** Handles INT and TERM from now on. */
    void install() {
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                previous.put(signal, Signal.handle(signal, this::onSignal));
            } catch (IllegalArgumentException e) {
                // No such signal here, or the JVM keeps it for itself: nothing to handle.
            }
        }
    }

    /** Ignores signals from now on (the run is over), then puts the previous handlers back. */
    void uninstall() {
        over = true;
        previous.forEach((signal, handler) -> {
            try {
                Signal.handle(signal, handler);
            } catch (IllegalArgumentException e) {
                // Cannot happen: it was handled before.
            }
        });
        previous.clear();
    }

    /** Whether a signal stopped the run. */
    boolean interrupted() {
        return signals.get() > 0;
    }

    /** Whether the run's halt reason is the stop this class made (rather than a halt that came first). */
    boolean stoppedTheRun() {
        return stoppedByUs;
    }

    /** Stops the run at once without a word: what a closed standard output calls for. */
    void stopNow() {
        if (workflow.haltReason().isEmpty()) {
            stoppedByUs = true;
        }
        stopInputs.run();
        inBackground(() -> workflow.stop(Duration.ZERO));
    }

    private void onSignal(Signal signal) {
        if (over) {
            return;
        }
        int count = signals.incrementAndGet();
        boolean terminal = "INT".equals(signal.getName());
        if (count == 1) {
            if (workflow.haltReason().isEmpty()) {
                stoppedByUs = true;
            }
            stopInputs.run();
            int n = running.count(workflow.workerPids());
            String again = terminal ? "Ctrl-C again to stop now" : "SIGTERM again to stop now";
            String what = terminal ? "interrupted" : "terminated";
            if (n == 0 || grace.isZero()) {
                err.println("mpflow: " + what + "; stopping");
            } else {
                err.println("mpflow: " + what + "; waiting up to " + Durations.format(grace) + " for " + n
                        + " running task" + (n == 1 ? "" : "s") + " (" + again + ")");
            }
            err.flush();
            inBackground(() -> workflow.stop(grace));
        } else if (count == 2) {
            err.println("mpflow: stopping the running tasks now");
            err.flush();
            inBackground(() -> workflow.stop(Duration.ZERO));
        }
    }

    private static void inBackground(Runnable r) {
        Thread t = new Thread(r, "mpflow-stop");
        t.setDaemon(true);
        t.start();
    }
}
