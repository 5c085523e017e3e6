package dev.mpflow.internal.worker;

import dev.mpflow.CommandFailedException;
import dev.mpflow.NotSerializableValueException;
import dev.mpflow.ResultTooLargeException;
import dev.mpflow.internal.JobWork;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import dev.mpflow.protocol.ChannelStreams;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Entry point of a worker process: {@code WorkerMain SOCKET_PATH WORKER_ID}.
 *
 * <p>The worker connects to the coordinator's Unix-domain socket, says {@code HELLO}, then runs each
 * {@code EXECUTE} on a thread of its own and replies with {@code SUCCESS} or {@code FAILURE} carrying the same id.
 * When the channel closes, for whatever reason (a {@code SHUTDOWN}, or the coordinator died, even by SIGKILL), the
 * worker ends the processes its tasks started and halts at once: it never outlives its coordinator.
 */
public final class WorkerMain {
    private final FrameWriter writer;
    private final PrintStream realErr;
    private final ExecutorService executor;

    private WorkerMain(FrameWriter writer, PrintStream realErr) {
        this.writer = writer;
        this.realErr = realErr;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mpflow-task-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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
            new WorkerMain(writer, realErr).serve(reader);
        } catch (IOException | RuntimeException e) {
            // The coordinator is gone or spoke nonsense: nothing to report to, so leave a line in the worker log.
            realErr.println("mpflow worker " + args[1] + ": channel closed: " + e);
            exitCode = 1;
        } finally {
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            realErr.flush();
            Runtime.getRuntime().halt(exitCode);
        }
    }

    /**
     * Ctrl-C at a terminal, or a signal to the whole process group, reaches workers too. Only the coordinator acts
     * on it: it stops the run in order, ending each worker and the programs its tasks started. A worker that died
     * of the signal first would leave those programs behind. Ignored signals are inherited, so the programs a task
     * starts ignore them as well and are ended by the worker instead.
     */
    private static void ignoreTerminalSignals() {
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
                case EXECUTE -> {
                    long id = frame.id();
                    Execute execute = Execute.decode(frame.payload());
                    executor.execute(() -> runAttempt(id, execute));
                }
                case SHUTDOWN -> {
                    return;
                }
                default -> throw new IOException("unexpected frame " + frame.type() + " from the coordinator");
            }
        }
    }

    private void runAttempt(long id, Execute execute) {
        OutputCapture.Buffers capture = OutputCapture.begin(execute.captureLimitBytes());
        AttemptContext.begin(pid -> {
            try {
                writer.write(FrameType.SPAWNED, id, new Spawned(pid).encode());
            } catch (IOException e) {
                realErr.println("mpflow worker: cannot report process " + pid + ": " + e);
            }
        });
        FrameType type;
        byte[] payload;
        try {
            JobWork work = readWork(execute.work());
            Object value;
            try {
                value = work.run();
            } finally {
                System.out.flush();
                System.err.flush();
            }
            byte[] bytes = serializeValue(work.task(), value, execute.maxResultBytes());
            type = FrameType.SUCCESS;
            payload = new Success(bytes, capture.out.snapshot(), capture.err.snapshot()).encode();
        } catch (Throwable t) {
            type = FrameType.FAILURE;
            payload = failure(t, capture).encode();
        } finally {
            OutputCapture.end();
            AttemptContext.end();
        }
        try {
            writer.write(type, id, payload);
        } catch (IOException e) {
            // The channel is gone; the reader loop sees it too and ends the worker.
            realErr.println("mpflow worker: cannot send the outcome of attempt " + id + ": " + e);
        }
    }

    private static JobWork readWork(byte[] bytes) throws WorkUnreadableException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (JobWork) in.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new WorkUnreadableException("the worker cannot read the task: " + e, e);
        }
    }

    private static byte[] serializeValue(String task, Object value, long limit)
            throws NotSerializableValueException, ResultTooLargeException {
        LimitedBytes bytes = new LimitedBytes(limit);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (LimitedBytes.LimitExceeded e) {
            throw new ResultTooLargeException("result of task '" + task + "' is larger than the limit of " + limit
                    + " bytes");
        } catch (NotSerializableException e) {
            throw new NotSerializableValueException("result of task '" + task + "' cannot be sent back: class "
                    + e.getMessage() + " is not serializable", e);
        } catch (IOException e) {
            throw new NotSerializableValueException("result of task '" + task + "' cannot be sent back: " + e, e);
        }
        return bytes.toByteArray();
    }

    /** Collects bytes up to a limit, and fails the moment it is passed rather than growing on. */
    private static final class LimitedBytes extends ByteArrayOutputStream {
        private final long limit;

        LimitedBytes(long limit) {
            super(128);
            this.limit = limit;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count + (long) len > limit) {
                throw new LimitExceeded();
            }
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            if (count + 1L > limit) {
                throw new LimitExceeded();
            }
            super.write(b);
        }

        static final class LimitExceeded extends RuntimeException {
            private static final long serialVersionUID = 1L;

            LimitExceeded() {
                super(null, null, false, false);
            }
        }
    }

    private static Failure failure(Throwable t, OutputCapture.Buffers capture) {
        String agent = "";
        Throwable error = t;
        if (t instanceof JobWork.AgentFailedException af) {
            agent = af.agent();
            error = af.getCause();
        }
        boolean retryable = !(error instanceof NotSerializableValueException || error instanceof WorkUnreadableException
                || error instanceof ResultTooLargeException);
        Throwable err = error;
        String trace = describe(() -> {
            StringWriter w = new StringWriter();
            err.printStackTrace(new PrintWriter(w));
            return w.toString();
        });
        String message = describe(() -> err.getMessage() == null ? "" : err.getMessage());
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
