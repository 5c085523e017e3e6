package dev.mpflow.internal.worker;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskCancelledException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskStatus;
import dev.mpflow.WorkflowClosedException;
import dev.mpflow.internal.AttemptOutcome;
import dev.mpflow.internal.Job;
import dev.mpflow.protocol.Captured;
import dev.mpflow.protocol.Execute;
import dev.mpflow.protocol.Failure;
import dev.mpflow.protocol.Frame;
import dev.mpflow.protocol.FrameReader;
import dev.mpflow.protocol.FrameType;
import dev.mpflow.protocol.FrameWriter;
import dev.mpflow.protocol.Hello;
import dev.mpflow.protocol.Spawned;
import dev.mpflow.protocol.Success;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import dev.mpflow.protocol.ChannelStreams;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warm pool of worker JVMs and the scheduler that feeds them.
 *
 * <p><b>Design.</b> Workers are started when work needs them, never more than {@code maxWorkers} and never more
 * than there are attempts running or waiting, and are then reused. Each connects back over a private Unix-domain socket (so
 * nothing a task prints can corrupt the channel) and is served by one reader thread. Attempts wait in one priority
 * queue (higher priority first, then submission order) and are handed to idle workers by {@link #dispatch()}. Every
 * attempt completes exactly once, by whichever comes first of: the worker's reply, the worker's death (the reader
 * sees the socket close, at once, whatever killed it), or its timeout (the worker is killed and replaced). Retrying
 * is not the pool's business: it reports each attempt's outcome and the caller's retry policy decides.
 *
 * <p>A worker that dies is replaced while the pool is open. A worker JVM that cannot even start (a bad JVM option,
 * a missing class) would be replaced forever, so after {@value #MAX_FAILED_STARTS} failed starts in a row the pool
 * is marked broken and every waiting attempt fails with the reason and the tail of the worker's log.
 *
 * <p>All mutable state is guarded by {@code this}; frames are written and futures completed outside the lock.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    private static final int MAX_FAILED_STARTS = 3;
    private static final int LOG_TAIL_CHARS = 2000;
    private static final String WORKER_MAIN = WorkerMain.class.getName();
    /** Pool directories are named after their coordinator's pid, so that those of dead coordinators can go. */
    private static final String DIR_PREFIX = "mpflow-";

    private final PoolConfig config;
    private final Consumer<PendingAttemptStart> onAttemptStart;
    private final Path dir;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final AtomicLong attemptIds = new AtomicLong();

    private final PriorityQueue<PendingAttempt> queue = new PriorityQueue<>(
            Comparator.comparingInt((PendingAttempt a) -> -a.job.priority()).thenComparingLong(a -> a.job.sequence()));
    private final Map<Integer, WorkerHandle> workers = new HashMap<>();
    private final Deque<WorkerHandle> idle = new ArrayDeque<>();
    private int nextWorkerId;
    private int failedStartsInARow;
    private String brokenReason;
    /** Set once by {@link #halt}: from then on no attempt starts. */
    private String haltReason;
    private boolean closed;

    /** What listeners learn when an attempt is sent to a worker. */
    public record PendingAttemptStart(Job job, int attempt, long workerPid, Instant startedAt) {
    }

    /**
     * Opens the pool: binds its socket. Worker JVMs start as attempts arrive (attempts queue until a worker is
     * ready).
     */
    public WorkerPool(PoolConfig config, Consumer<PendingAttemptStart> onAttemptStart) {
        this.config = config;
        this.onAttemptStart = onAttemptStart;
        try {
            removeStaleDirectories();
            this.dir = Files.createTempDirectory(DIR_PREFIX + ProcessHandle.current().pid() + "-");
            this.socketPath = dir.resolve("pool.sock");
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socketPath));
        } catch (IOException e) {
            throw new MpflowException("cannot open the worker channel in " + System.getProperty("java.io.tmpdir")
                    + ": " + e.getMessage(), e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "mpflow-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Queues one attempt of {@code job}. The future completes with the attempt's outcome, whatever it is; it
     * completes exceptionally only with a {@link WorkflowClosedException} (the pool closed first) or an
     * {@link MpflowException} (the pool cannot start workers).
     */
    public CompletableFuture<AttemptOutcome> submit(Job job, int attempt) {
        PendingAttempt pending = new PendingAttempt(attemptIds.incrementAndGet(), job, attempt);
        synchronized (this) {
            if (closed) {
                pending.future.completeExceptionally(new WorkflowClosedException("the workflow is closed"));
                return pending.future;
            }
            if (brokenReason != null) {
                pending.future.completeExceptionally(new MpflowException(brokenReason));
                return pending.future;
            }
            if (haltReason != null) {
                pending.future.completeExceptionally(new TaskCancelledException(haltReason, false));
                return pending.future;
            }
            queue.add(pending);
            ensureWorkers();
        }
        dispatch();
        return pending.future;
    }

    /**
     * A coordinator killed with SIGKILL leaves its pool directory (socket, worker logs) behind; the next pool
     * removes those whose coordinator is gone.
     */
    private static void removeStaleDirectories() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> dirs = Files.list(tmp)) {
            dirs.filter(d -> d.getFileName().toString().matches(DIR_PREFIX + "\\d+-\\d+")).forEach(d -> {
                String name = d.getFileName().toString();
                long pid = Long.parseLong(name.substring(DIR_PREFIX.length(), name.indexOf('-', DIR_PREFIX.length())));
                if (ProcessHandle.of(pid).isEmpty()) {
                    try (Stream<Path> files = Files.list(d)) {
                        files.forEach(WorkerPool::deleteQuietly);
                    } catch (IOException e) {
                        log.debug("cannot list {}: {}", d, e.toString());
                    }
                    deleteQuietly(d);
                }
            });
        } catch (IOException | RuntimeException e) {
            log.debug("cannot tidy {}: {}", tmp, e.toString());
        }
    }

    /** The process ids of the workers running now. */
    public synchronized List<Long> workerPids() {
        return workers.values().stream().filter(w -> w.state() != WorkerState.DEAD).map(WorkerHandle::pid).toList();
    }

    /**
     * Stops starting attempts: queued ones, and any submitted later, complete exceptionally with a
     * {@link TaskCancelledException} carrying {@code reason}. With {@code stopRunning}, running attempts are ended
     * the same way and their workers killed. Workers that die from now on are not replaced. Idempotent; the first
     * reason stays.
     */
    public void halt(String reason, boolean stopRunning) {
        List<PendingAttempt> dropped;
        List<WorkerHandle> stopped = new ArrayList<>();
        List<PendingAttempt> running = new ArrayList<>();
        synchronized (this) {
            if (haltReason == null) {
                haltReason = reason;
            }
            dropped = new ArrayList<>(queue);
            queue.clear();
            if (stopRunning) {
                for (WorkerHandle w : workers.values()) {
                    if (w.current != null) {
                        running.add(w.current);
                        w.current = null;
                        cancelTimeout(w);
                        w.moveTo(WorkerState.STOPPING);
                        stopped.add(w);
                    }
                }
            }
            notifyAll();
        }
        String why = haltReason;
        dropped.forEach(a -> a.future.completeExceptionally(new TaskCancelledException(why, false)));
        stopped.forEach(WorkerHandle::kill);
        running.forEach(a -> a.future.completeExceptionally(new TaskCancelledException(why, true)));
    }

    /** Waits until no attempt is running, at most {@code timeout}; returns whether none is. */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (workers.values().stream().anyMatch(w -> w.current != null)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** How many attempts wait for a worker. */
    public synchronized int queued() {
        return queue.size();
    }

    /** How many attempts are running now. */
    public synchronized int running() {
        return (int) workers.values().stream().filter(w -> w.current != null).count();
    }

    /** Hands queued attempts to idle workers. */
    private void dispatch() {
        List<WorkerHandle> assigned = new ArrayList<>();
        synchronized (this) {
            while (!queue.isEmpty() && !idle.isEmpty()) {
                WorkerHandle w = idle.poll();
                PendingAttempt a = queue.poll();
                w.moveTo(WorkerState.BUSY);
                w.current = a;
                a.startedAt = Instant.now();
                a.workerPid = w.pid();
                a.job.timeout().ifPresent(t -> w.timeout = config.timer().schedule(() -> onTimeout(w, a),
                        t.toNanos(), TimeUnit.NANOSECONDS));
                assigned.add(w);
            }
        }
        for (WorkerHandle w : assigned) {
            PendingAttempt a;
            synchronized (this) {
                a = w.current;
            }
            if (a == null) {
                continue; // timed out already, before it was even sent
            }
            onAttemptStart.accept(new PendingAttemptStart(a.job, a.attempt, a.workerPid, a.startedAt));
            try {
                w.writer.write(FrameType.EXECUTE, a.id,
                        new Execute(a.attempt, config.captureLimitBytes(), config.maxResultBytes(), a.job.work()).encode());
            } catch (IOException e) {
                // The worker is dying; its reader reports the attempt as crashed.
                log.debug("cannot send attempt to {}: {}", w, e.toString());
                w.kill();
            }
        }
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread reader = new Thread(() -> serveWorker(channel), "mpflow-worker-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    /** Runs on the worker's reader thread: HELLO first, then replies until the channel closes. */
    private void serveWorker(SocketChannel channel) {
        WorkerHandle worker = null;
        try (channel) {
            FrameReader reader = new FrameReader(ChannelStreams.input(channel));
            Frame first = reader.read();
            if (first == null || first.type() != FrameType.HELLO) {
                return;
            }
            Hello hello = Hello.decode(first.payload());
            synchronized (this) {
                worker = workers.get(hello.workerId());
                if (worker == null || worker.state() != WorkerState.STARTING || hello.pid() != worker.pid()) {
                    return; // not a worker of ours, or one given up on
                }
                if (hello.protocolVersion() != Hello.PROTOCOL_VERSION) {
                    throw new IOException("worker speaks protocol " + hello.protocolVersion() + ", coordinator "
                            + Hello.PROTOCOL_VERSION);
                }
                worker.channel = channel;
                worker.writer = new FrameWriter(ChannelStreams.output(channel));
                worker.moveTo(WorkerState.IDLE);
                failedStartsInARow = 0;
                if (closed) {
                    worker.moveTo(WorkerState.STOPPING);
                    worker.kill();
                } else {
                    idle.add(worker);
                }
            }
            Thread.currentThread().setName("mpflow-worker-" + worker.id + "-reader");
            log.debug("{} connected", worker);
            dispatch();
            Frame frame;
            while ((frame = reader.read()) != null) {
                onReply(worker, frame);
            }
        } catch (IOException | RuntimeException e) {
            if (worker != null) {
                log.debug("channel of {} ended: {}", worker, e.toString());
            }
        }
        if (worker != null) {
            onWorkerGone(worker);
        }
    }

    private void onReply(WorkerHandle worker, Frame frame) throws IOException {
        if (frame.type() == FrameType.SPAWNED) {
            synchronized (this) {
                if (worker.current != null && worker.current.id == frame.id()) {
                    worker.spawned.add(Spawned.decode(frame.payload()).pid());
                }
            }
            return;
        }
        PendingAttempt a;
        synchronized (this) {
            a = worker.current;
            if (a == null || a.id != frame.id()) {
                return; // a reply to an attempt already given up on (timed out)
            }
            worker.current = null;
            // The attempt ended in the worker, which ended its programs itself; their pids may now be reused.
            worker.spawned.clear();
            cancelTimeout(worker);
            if (worker.state() == WorkerState.BUSY) {
                worker.moveTo(WorkerState.IDLE);
                idle.add(worker);
            }
            notifyAll();
        }
        Instant end = Instant.now();
        AttemptOutcome outcome = switch (frame.type()) {
            case SUCCESS -> {
                Success s = Success.decode(frame.payload());
                yield new AttemptOutcome(a.attempt, TaskStatus.SUCCEEDED, s.value(), Optional.empty(), false,
                        List.of(), -1, Optional.empty(), a.workerPid, a.startedAt, end, text(s.stdout()),
                        text(s.stderr()));
            }
            case FAILURE -> {
                Failure f = Failure.decode(frame.payload());
                yield new AttemptOutcome(a.attempt, TaskStatus.FAILED, new byte[0],
                        Optional.of(new TaskError(f.errorType(), f.message(), f.stackTrace())), f.retryable(),
                        errorTypes(f), f.exitCode(), f.agent().isEmpty() ? Optional.empty() : Optional.of(f.agent()), a.workerPid, a.startedAt,
                        end, text(f.stdout()), text(f.stderr()));
            }
            default -> throw new IOException("unexpected frame " + frame.type() + " from " + worker);
        };
        a.future.complete(outcome);
        dispatch();
    }

    private void onTimeout(WorkerHandle worker, PendingAttempt a) {
        synchronized (this) {
            if (worker.current != a) {
                return;
            }
            worker.current = null;
            worker.timeout = null;
            worker.moveTo(WorkerState.STOPPING);
            notifyAll();
        }
        Instant end = Instant.now();
        long millis = a.job.timeout().orElseThrow().toMillis();
        log.warn("task {} attempt {} timed out after {} ms on worker pid {}; killing the worker", a.job.label(),
                a.attempt, millis, a.workerPid);
        worker.kill();
        a.future.complete(AttemptOutcome.failed(a.attempt, TaskStatus.TIMED_OUT,
                new TaskError("Timeout", "attempt exceeded its timeout of " + millis + " ms", ""),
                a.workerPid, a.startedAt, end));
    }

    /** The worker's channel closed: it exited, was killed, or is being stopped. */
    private void onWorkerGone(WorkerHandle worker) {
        worker.killSpawned();
        PendingAttempt a;
        boolean replace;
        synchronized (this) {
            if (worker.state() == WorkerState.DEAD) {
                return;
            }
            worker.moveTo(WorkerState.DEAD);
            workers.remove(worker.id);
            idle.remove(worker);
            a = worker.current;
            worker.current = null;
            cancelTimeout(worker);
            replace = !closed && haltReason == null;
            notifyAll();
        }
        if (a != null) {
            Instant end = Instant.now();
            if (!closed) {
                String how = exitDescription(worker);
                log.warn("worker pid {} died running task {} attempt {}: {}", worker.pid(), a.job.label(),
                        a.attempt, how);
                a.future.complete(AttemptOutcome.failed(a.attempt, TaskStatus.CRASHED,
                        new TaskError("WorkerCrashed", "worker process " + worker.pid() + " " + how, logTail(worker)),
                        a.workerPid, a.startedAt, end));
            } else {
                a.future.completeExceptionally(new WorkflowClosedException(
                        "the workflow was closed while task " + a.job.label() + " was running"));
            }
        }
        deleteQuietly(worker.log);
        if (replace) {
            synchronized (this) {
                if (!closed && haltReason == null) {
                    ensureWorkers();
                }
            }
        }
    }

    /** Called when a worker process ends, whatever its state: catches workers that die before connecting. */
    private void onProcessExit(WorkerHandle worker) {
        List<PendingAttempt> failed = List.of();
        String reason = null;
        synchronized (this) {
            if (worker.state() != WorkerState.STARTING) {
                return; // the reader thread handles connected workers
            }
            worker.moveTo(WorkerState.DEAD);
            workers.remove(worker.id);
            if (closed || haltReason != null) {
                return;
            }
            String how = exitDescription(worker);
            // A JVM killed from outside while it started (a signal, the kernel's out-of-memory killer) says
            // nothing about whether the next one can start: only JVMs that end by themselves count.
            int code = worker.process.exitValue();
            if (worker.killedForSlowStart || code <= 128 || code >= 160) {
                failedStartsInARow++;
            }
            if (failedStartsInARow < MAX_FAILED_STARTS) {
                log.warn("worker pid {} {} before connecting; starting another", worker.pid(), how);
                ensureWorkers();
            } else {
                reason = "worker JVMs fail to start: the last one " + how + ". Its output: " + logTail(worker);
                brokenReason = reason;
                failed = new ArrayList<>(queue);
                queue.clear();
            }
        }
        if (reason != null) {
            log.error(reason);
            for (PendingAttempt a : failed) {
                a.future.completeExceptionally(new MpflowException(reason));
            }
        }
        deleteQuietly(worker.log);
    }

    /**
     * Starts workers until there is one for every attempt running or waiting, up to {@code maxWorkers}. Must hold
     * the lock.
     */
    private void ensureWorkers() {
        if (closed || haltReason != null || brokenReason != null) {
            return;
        }
        long alive = workers.values().stream()
                .filter(w -> w.state() != WorkerState.STOPPING && w.state() != WorkerState.DEAD).count();
        long busy = workers.values().stream().filter(w -> w.current != null).count();
        long wanted = Math.min(config.maxWorkers(), busy + queue.size());
        for (long i = alive; i < wanted; i++) {
            launchWorker();
        }
    }

    /** Must hold the lock. */
    private void launchWorker() {
        int id = nextWorkerId++;
        Path logFile = dir.resolve("worker-" + id + ".log");
        List<String> command = new ArrayList<>();
        command.add(config.javaCommand());
        command.addAll(config.jvmOptions());
        // A worker out of heap must die (and be reported as crashed) rather than limp on in an unknown state.
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-cp");
        command.add(config.classPath());
        command.add(WORKER_MAIN);
        command.add(socketPath.toString());
        command.add(Integer.toString(id));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            brokenReason = "cannot start a worker JVM with " + config.javaCommand() + ": " + e.getMessage();
            log.error(brokenReason);
            List<PendingAttempt> failed = new ArrayList<>(queue);
            queue.clear();
            // Completing futures under the lock is safe here: callers chain only asynchronous work on them.
            failed.forEach(a -> a.future.completeExceptionally(new MpflowException(brokenReason)));
            return;
        }
        WorkerHandle worker = new WorkerHandle(id, process, logFile);
        workers.put(id, worker);
        process.onExit().thenRun(() -> onProcessExit(worker));
        config.timer().schedule(() -> {
            synchronized (this) {
                if (worker.state() != WorkerState.STARTING) {
                    return;
                }
            }
            log.warn("worker pid {} did not connect within {} ms; killing it", worker.pid(),
                    config.startupTimeout().toMillis());
            worker.killedForSlowStart = true;
            worker.kill();
        }, config.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
        log.debug("started {}", worker);
    }

    private static void cancelTimeout(WorkerHandle worker) {
        if (worker.timeout != null) {
            worker.timeout.cancel(false);
            worker.timeout = null;
        }
    }

    /** "exited with code 3" or "was killed by signal 9 (SIGKILL)"; waits briefly for the process to be reaped. */
    private static String exitDescription(WorkerHandle worker) {
        try {
            worker.process.onExit().get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            worker.kill();
            return "closed its channel but did not exit";
        } catch (Exception e) {
            Thread.currentThread().interrupt();
            return "ended";
        }
        int code = worker.process.exitValue();
        if (code > 128 && code < 160) {
            int signal = code - 128;
            return "was killed by signal " + signal + signalName(signal);
        }
        return "exited with code " + code;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 2 -> " (SIGINT)";
            case 6 -> " (SIGABRT)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }

    private static String logTail(WorkerHandle worker) {
        try (RandomAccessFile f = new RandomAccessFile(worker.log.toFile(), "r")) {
            long start = Math.max(0, f.length() - LOG_TAIL_CHARS);
            byte[] bytes = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> errorTypes(Failure f) {
        List<String> types = new ArrayList<>(f.typeHierarchy().size() + 1);
        types.add(f.errorType());
        types.addAll(f.typeHierarchy());
        return types;
    }

    static String text(Captured c) {
        String s = new String(c.bytes(), StandardCharsets.UTF_8);
        return c.droppedBytes() == 0 ? s : s + "\n[mpflow: " + c.droppedBytes() + " more bytes not kept]";
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", p, e.toString());
        }
    }

    /**
     * Stops the pool: queued attempts fail with {@link WorkflowClosedException}, workers are asked to stop and
     * killed if they have not within two seconds, and the pool's files are removed. Idempotent.
     */
    @Override
    public void close() {
        List<PendingAttempt> dropped;
        List<WorkerHandle> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            all = new ArrayList<>(workers.values());
            idle.clear();
            for (WorkerHandle w : all) {
                if (w.state() != WorkerState.DEAD && w.state() != WorkerState.STOPPING) {
                    w.moveTo(WorkerState.STOPPING);
                }
            }
        }
        dropped.forEach(a -> a.future.completeExceptionally(new WorkflowClosedException("the workflow is closed")));
        for (WorkerHandle w : all) {
            FrameWriter writer = w.writer;
            if (writer != null) {
                try {
                    writer.write(FrameType.SHUTDOWN, 0, new byte[0]);
                } catch (IOException e) {
                    w.kill();
                }
            } else {
                w.kill();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (WorkerHandle w : all) {
            try {
                w.process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                w.kill();
            }
            // Grandchildren of a command agent are gone with their worker (it ends its descendants on exit);
            // this is the safety net for a worker that was killed before it could.
            w.process.descendants().forEach(ProcessHandle::destroyForcibly);
            onWorkerGone(w);
        }
        try {
            server.close();
        } catch (IOException e) {
            log.debug("cannot close the worker channel: {}", e.toString());
        }
        deleteQuietly(socketPath);
        try (Stream<Path> left = Files.list(dir)) {
            left.forEach(WorkerPool::deleteQuietly);
        } catch (IOException e) {
            log.debug("cannot list {}: {}", dir, e.toString());
        }
        deleteQuietly(dir);
    }
}
