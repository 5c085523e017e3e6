package dev.mpflow.internal.worker;

import dev.mpflow.CommandArgumentException;
import dev.mpflow.CommandFailedException;
import dev.mpflow.NotSerializableValueException;
import dev.mpflow.ResultTooLargeException;
import dev.mpflow.internal.JobWork;
import dev.mpflow.internal.MapWork;
import dev.mpflow.protocol.Define;
import dev.mpflow.protocol.Execute;
import dev.mpflow.protocol.Failure;
import dev.mpflow.protocol.Frame;
import dev.mpflow.protocol.FrameReader;
import dev.mpflow.protocol.FrameType;
import dev.mpflow.protocol.FrameWriter;
import dev.mpflow.protocol.Hello;
import dev.mpflow.protocol.Spawned;
import dev.mpflow.protocol.Success;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import dev.mpflow.protocol.ChannelStreams;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * Entry point of a worker process: {@code WorkerMain SOCKET_PATH WORKER_ID}.
 *
 * <p>The worker connects to the coordinator's Unix-domain socket and says {@code HELLO}. Its reader thread then
 * keeps the work it is sent ({@code DEFINE}) and queues each {@code EXECUTE}; one task thread runs the queued
 * attempts strictly in the order they came, one at a time, and replies with {@code SUCCESS} or {@code FAILURE}
 * carrying the same id. Running in order is what lets the coordinator send several attempts ahead and still know
 * which one is running: the oldest it has no reply for. An attempt not started yet can be taken back
 * ({@code REVOKE}), so that another worker runs it.
 *
 * <p>Each reply is sent the moment its attempt ends, before the next starts: the coordinator tells which attempt
 * a dead worker was running by the replies it has, so none may wait in a buffer. (The other way, the coordinator
 * sends its frames in batches.)
 *
 * <p>When the channel closes, for whatever reason (a {@code SHUTDOWN}, or the coordinator died, even by SIGKILL), the
 * worker ends the processes its tasks started and halts at once: it never outlives its coordinator.
 */
public final class WorkerMain {
    /** Set (to {@code true}) by the pool when it starts the worker in a session of its own. */
    static final String OWN_SESSION_PROPERTY = "mpflow.worker.ownSession";

    /** How much of each stream a worker that exits leaves in its log. */
    private static final int LAST_WORDS_BYTES = 1000;

    private final FrameWriter writer;
    private final PrintStream realErr;
    /** Work by id, as {@code DEFINE} frames brought it; read by the reader thread only. */
    private final Map<Long, Work> works = new HashMap<>();
    private final LinkedBlockingDeque<Queued> queue = new LinkedBlockingDeque<>();
    /** The attempt the task thread runs, for the last words of a worker that exits under it. */
    private volatile Running running;

    private record Running(String task, int attempt, OutputCapture.Buffers capture) {
    }

    /** An attempt waiting for the task thread. */
    private record Queued(long id, Execute execute, Work work) {
    }

    /** Work as it arrived, read on first use (on the task thread, where a failure to read is the attempt's). */
    private static final class Work {
        final byte[] bytes;
        dev.mpflow.internal.Work read;

        Work(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    private WorkerMain(FrameWriter writer, PrintStream realErr) {
        this.writer = writer;
        this.realErr = realErr;
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: WorkerMain SOCKET_PATH WORKER_ID (started by the mpflow coordinator)");
            System.exit(2);
        }
        PrintStream realErr = OutputCapture.install();
        ignoreTerminalSignals();
        int exitCode = 0;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            FrameWriter writer = new FrameWriter(ChannelStreams.output(channel));
            FrameReader reader = new FrameReader(ChannelStreams.input(channel));
            writer.write(FrameType.HELLO, 0,
                    new Hello(Hello.PROTOCOL_VERSION, Integer.parseInt(args[1]), ProcessHandle.current().pid()).encode());
            WorkerMain worker = new WorkerMain(writer, realErr);
            worker.startThreads();
            worker.serve(reader);
        } catch (IOException | RuntimeException e) {
            // The coordinator is gone or spoke nonsense: nothing to report to, so leave a line in the worker log.
            realErr.println("mpflow worker " + args[1] + ": channel closed: " + e);
            exitCode = 1;
        } finally {
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            if (Boolean.getBoolean(OWN_SESSION_PROPERTY)) {
                // What its tasks' programs left running, forked away from its descendants or not.
                Sessions.end(ProcessHandle.current().pid());
            }
            realErr.flush();
            if (System.getProperty(WorkerArchive.RECORDING_PROPERTY) != null) {
                // Recording a class data archive: the JVM writes it only on a normal exit.
                System.exit(exitCode);
            }
            Runtime.getRuntime().halt(exitCode);
        }
    }

    /**
     * A task that calls {@code System.exit} takes its captured output down with the worker. What it printed last is
     * often why, so the exit writes it to the worker's log, whose tail the coordinator reports with the crash.
     */
    private void keepLastWordsOnExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Running r = running;
            if (r == null) {
                return;
            }
            realErr.println("task '" + r.task() + "' attempt " + r.attempt() + " printed before the worker exited:");
            printTail("stdout: ", r.capture().out.tail(LAST_WORDS_BYTES));
            printTail("stderr: ", r.capture().err.tail(LAST_WORDS_BYTES));
            realErr.flush();
        }, "mpflow-last-words"));
    }

    private void printTail(String prefix, byte[] tail) {
        int start = 0;
        for (int i = 0; i <= tail.length; i++) {
            if (i == tail.length || tail[i] == '\n') {
                if (i > start) {
                    realErr.print(prefix);
                    realErr.write(tail, start, i - start);
                    realErr.println();
                }
                start = i + 1;
            }
        }
    }

    private void startThreads() {
        keepLastWordsOnExit();
        Thread tasks = new Thread(this::runAttempts, "mpflow-task");
        tasks.setDaemon(true);
        tasks.start();
    }

    /**
     * Ctrl-C at a terminal, or a signal to the whole process group, must not reach workers: only the coordinator
     * acts on it, stopping the run in order and ending each worker and the programs its tasks started; a worker that
     * died of the signal first would leave those programs behind. A worker in a session of its own
     * ({@link #OWN_SESSION_PROPERTY}) is out of their reach and keeps the usual handling, so that the programs its
     * tasks start get SIGINT and SIGTERM as any program does. Otherwise it ignores them; ignored signals are
     * inherited, so its programs ignore them as well, and are ended by the worker instead.
     */
    private static void ignoreTerminalSignals() {
        if (Boolean.getBoolean(OWN_SESSION_PROPERTY)) {
            return;
        }
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sun.misc.SignalHandler.SIG_IGN);
            } catch (IllegalArgumentException e) {
                // This platform has no such signal.
            }
        }
    }

    private void serve(FrameReader reader) throws IOException {
        Frame frame;
        while ((frame = reader.read()) != null) {
            switch (frame.type()) {
                case DEFINE -> works.put(frame.id(), new Work(Define.decode(frame.payload()).work()));
                case FORGET -> works.remove(frame.id());
                case EXECUTE -> {
                    Execute execute = Execute.decode(frame.payload());
                    // Looked up now, in frame order: a FORGET that follows must not take it from this attempt.
                    queue.add(new Queued(frame.id(), execute, works.get(execute.workId())));
                }
                case REVOKE -> {
                    long id = frame.id();
                    if (queue.removeIf(q -> q.id() == id)) {
                        writer.write(FrameType.REVOKED, id, new byte[0]);
                    }
                }
                case SHUTDOWN -> {
                    return;
                }
                default -> throw new IOException("unexpected frame " + frame.type() + " from the coordinator");
            }
        }
    }

    /** The task thread: runs queued attempts one at a time, in order. */
    private void runAttempts() {
        while (true) {
            Queued next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                continue; // Only a task's own code interrupts this thread; the queue is still there.
            }
            byte[] reply;
            FrameType type;
            try {
                Attempted a = runAttempt(next);
                type = a.type;
                reply = a.payload;
            } finally {
                // What a task leaves on its thread must not reach the next one.
                Thread.interrupted();
                Thread.currentThread().setContextClassLoader(WorkerMain.class.getClassLoader());
            }
            try {
                // Sent before the next attempt starts, never held back to go with the next reply: if that attempt
                // killed the worker, a reply still in the buffer would be lost, and the coordinator would charge
                // the crash to the attempt that had in fact ended well.
                writer.write(type, next.id(), reply);
            } catch (IOException e) {
                // The channel is gone; the reader loop sees it too and ends the worker.
                realErr.println("mpflow worker: cannot send the outcome of attempt " + next.id() + ": " + e);
            }
        }
    }

    private record Attempted(FrameType type, byte[] payload) {
    }

    private Attempted runAttempt(Queued q) {
        long id = q.id();
        Execute execute = q.execute();
        OutputCapture.Buffers capture = OutputCapture.begin(execute.captureLimitBytes());
        running = new Running(execute.task(), execute.attempt(), capture);
        AttemptContext.begin(pid -> {
            try {
                writer.write(FrameType.SPAWNED, id, new Spawned(pid).encode());
            } catch (IOException e) {
                realErr.println("mpflow worker: cannot report process " + pid + ": " + e);
            }
        }, execute.captureLimitBytes());
        try {
            dev.mpflow.internal.Work work = readWork(q.work(), execute.workId());
            byte[] bytes;
            try {
                bytes = work.execute(execute.task(), execute.argument(), execute.maxResultBytes());
            } finally {
                System.out.flush();
                System.err.flush();
            }
            return new Attempted(FrameType.SUCCESS,
                    new Success(bytes, capture.out.snapshot(), capture.err.snapshot()).encode());
        } catch (Throwable t) {
            return new Attempted(FrameType.FAILURE, failure(t, capture).encode());
        } finally {
            running = null;
            OutputCapture.end();
            AttemptContext.end();
        }
    }

    private static dev.mpflow.internal.Work readWork(Work work, long id) throws WorkUnreadableException {
        if (work == null) {
            throw new WorkUnreadableException("the worker was not sent work " + id, null);
        }
        if (work.read == null) {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(work.bytes))) {
                work.read = (dev.mpflow.internal.Work) in.readObject();
            } catch (IOException | ClassNotFoundException | ClassCastException e) {
                throw new WorkUnreadableException("the worker cannot read the task: " + e, e);
            }
        }
        return work.read;
    }

    private static Failure failure(Throwable t, OutputCapture.Buffers capture) {
        String agent = "";
        Throwable error = t;
        String prefix = "";
        if (t instanceof JobWork.AgentFailedException af) {
            agent = af.agent();
            error = af.getCause();
        } else if (t instanceof MapWork.ElementFailedException ef) {
            prefix = "element " + ef.index() + " of the chunk: ";
            error = ef.getCause();
        }
        boolean retryable = !(error instanceof NotSerializableValueException || error instanceof WorkUnreadableException
                || error instanceof ResultTooLargeException || error instanceof CommandArgumentException);
        Throwable err = error;
        String trace = describe(() -> {
            StringWriter w = new StringWriter();
            err.printStackTrace(new PrintWriter(w));
            return w.toString();
        });
        String message = prefix + describe(() -> err.getMessage() == null ? "" : err.getMessage());
        int exitCode = error instanceof CommandFailedException c ? c.exitCode() : -1;
        return new Failure(error.getClass().getName(), message, trace, retryable, agent,
                typeHierarchy(error.getClass()), exitCode, capture.out.snapshot(), capture.err.snapshot());
    }

    /**
     * Text from user code that may itself throw (an exception whose {@code getMessage} or {@code toString} fails):
     * the attempt must still be answered, so the failure to describe becomes the description.
     */
    private static String describe(java.util.function.Supplier<String> text) {
        try {
            return text.get();
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            return "(could not be described: " + e.getClass().getName() + " while describing it)";
        }
    }

    /** The names of a class's superclasses and of every interface it implements, nearest first. */
    static List<String> typeHierarchy(Class<?> type) {
        Set<String> names = new LinkedHashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (c != type) {
                names.add(c.getName());
            }
            if (c.getSuperclass() != null) {
                todo.add(c.getSuperclass());
            }
            todo.addAll(List.of(c.getInterfaces()));
        }
        return List.copyOf(names);
    }

    /** The job bytes could not be turned back into a job in this worker (a class missing from its class path). */
    static final class WorkUnreadableException extends Exception {
        private static final long serialVersionUID = 1L;

        WorkUnreadableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
