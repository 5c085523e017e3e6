package dev.mpflow.cli;

import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.cli.workflow.Durations;
import dev.mpflow.event.RunSummary;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM during {@code mpflow run}, from the moment the command starts. Once the workflow is
 * {@link #attach attached}, the first one stops taking tasks and gives the running ones the grace period to finish
 * ({@link MultiProcessWorkflow#stop(Duration)}, on a thread of its own); the second stops them at once. Either way
 * the main thread goes on as usual: it prints the results as they come (unfinished tasks as {@code cancelled}), the
 * summary once, closes the workflow (which writes the store) and exits 130. A signal before that, while the
 * command still reads its workflow file and inputs, finds nothing started: it prints the summary of nothing and
 * exits 130 at once, as the main thread may be blocked reading (a pipe that never ends) and could not say it.
 *
 * <p>Handlers replace the JVM's own, so no shutdown hook runs on these signals and nothing races the main thread.
 */
final class Interruptions {
    private static final String[] SIGNALS = {"INT", "TERM"};
    /** Handlers installed before the command line was parsed, for the run that follows; null when none. */
    private static Interruptions early;

    private final PrintStream earlyErr;
    private final long startNanos = System.nanoTime();
    private final AtomicInteger signals = new AtomicInteger();
    private final Map<Signal, SignalHandler> previous = new HashMap<>();
    /** Guards the move from "nothing started" to "a workflow to stop", so that a signal sees one or the other. */
    private final Object lock = new Object();
    private MultiProcessWorkflow workflow;
    private Duration grace;
    private PrintStream err;
    private RunningAttempts running;
    private Runnable stopInputs;
    private volatile boolean over;
    private volatile boolean stoppedByUs;

    /** @param err where to report a signal that comes before a workflow is attached */
    Interruptions(PrintStream err) {
        this.earlyErr = err;
    }

    /**
     * Handles INT and TERM from now on, for the run command that the command line about to be parsed calls:
     * parsing it takes a good part of a second's start, and a signal then must not end the JVM silently.
     */
    static synchronized void installEarly(PrintStream err) {
        early = new Interruptions(err);
        early.install();
    }

    /** The handlers for this run: those {@link #installEarly installed early}, else new ones installed now. */
    static synchronized Interruptions forRun(PrintStream err) {
        Interruptions handlers = early;
        early = null;
        if (handlers == null) {
            handlers = new Interruptions(err);
            handlers.install();
        }
        return handlers;
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

    /**
     * Builds the workflow and lets signals stop it from then on. A signal that comes while it is being built waits
     * for it, and then stops it.
     *
     * @param err        where to say that a signal came (the progress bar's shared stderr, when there is one)
     * @param stopInputs makes the run take no more tasks
     */
    MultiProcessWorkflow attach(Supplier<MultiProcessWorkflow> build, Duration grace, PrintStream err,
            RunningAttempts running, Runnable stopInputs) {
        synchronized (lock) {
            MultiProcessWorkflow built = build.get();
            this.grace = grace;
            this.err = err;
            this.running = running;
            this.stopInputs = stopInputs;
            this.workflow = built;
            return built;
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

    /** Stops the run at once, saying why on standard error: what a closed standard output calls for. */
    void stopNow(String why) {
        if (workflow.haltReason().isEmpty()) {
            stoppedByUs = true;
        }
        err.println("mpflow: " + why + "; stopping");
        err.flush();
        stopInputs.run();
        inBackground(() -> workflow.stop(Duration.ZERO));
    }

    private void onSignal(Signal signal) {
        int count;
        boolean started;
        synchronized (lock) {
            if (over) {
                return;
            }
            count = signals.incrementAndGet();
            started = workflow != null;
        }
        boolean terminal = "INT".equals(signal.getName());
        String what = terminal ? "interrupted" : "terminated";
        if (!started) {
            if (count == 1) {
                earlyErr.println("mpflow: " + what + "; stopping");
                earlyErr.println("mpflow: " + RunCommand.summaryLine(new RunSummary(0, 0, 0, 0, 0,
                        Duration.ofNanos(System.nanoTime() - startNanos), Optional.empty())));
                earlyErr.flush();
                System.exit(ExitCode.INTERRUPTED);
            }
            return;
        }
        if (count == 1) {
            if (workflow.haltReason().isEmpty()) {
                stoppedByUs = true;
            }
            stopInputs.run();
            int n = running.count(workflow.workerPids());
            String again = terminal ? "Ctrl-C again to stop now" : "SIGTERM again to stop now";
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
