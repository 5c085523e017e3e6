package dev.mpflow.internal.worker;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskCancelledException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskStatus;
import dev.mpflow.WorkflowClosedException;
import dev.mpflow.internal.AttemptOutcome;
import dev.mpflow.internal.Job;
import dev.mpflow.internal.MaskedLogging;
import dev.mpflow.internal.WorkDefinition;
import dev.mpflow.protocol.Define;
import dev.mpflow.protocol.Captured;
import dev.mpflow.protocol.Execute;
import dev.mpflow.protocol.Failure;
import dev.mpflow.protocol.Frame;
import dev.mpflow.protocol.FrameReader;
import dev.mpflow.protocol.FrameType;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;

/**
 * A warm pool of worker JVMs and the scheduler that feeds them.
 *
 * <p><b>Design.</b> Workers are started when work needs them, never more than {@code maxWorkers} and never more
 * than there are attempts waiting or running, and are then reused. Each connects back over a private Unix-domain
 * socket (so nothing a task prints can corrupt the channel) and is served by one reader thread. Attempts wait in
 * one priority queue (higher priority first, then submission order) and are handed to the least loaded worker.
 *
 * <p><b>Sending ahead.</b> A worker runs its attempts one at a time in the order they were sent, so the pool may
 * send several ahead: the next one starts the moment the last ends, with no round trip in between, and replies and
 * requests travel in batches. The oldest attempt without a reply is the one running; only it has a timeout, and
 * only it is blamed when the worker dies, while those behind it go back to the queue as never started. How far
 * ahead depends on how long attempts take: as many as fit in {@link PoolConfig#AHEAD_BUDGET} of expected work, at most
 * {@value #MAX_IN_FLIGHT}, and one at a time for long tasks, so that no worker hoards work another could run. A
 * worker that runs out of work takes back ({@code REVOKE}) attempts that are still waiting on a busy one.
 *
 * <p>Every attempt completes exactly once, by whichever comes first of: the worker's reply, the worker's death (the
 * reader sees the socket close, at once, whatever killed it), its timeout (the worker is killed and replaced), or
 * a halt. Retrying is not the pool's business: it reports each attempt's outcome and the caller's retry policy
 * decides.
 *
 * <p>A worker that dies is replaced while the pool is open. A worker JVM that cannot even start (a bad JVM option,
 * a missing class) would be replaced forever, so after {@value #MAX_FAILED_STARTS} failed starts in a row the pool
 * is marked broken and every waiting attempt fails with the reason and the tail of the worker's log.
 *
 * <p>All mutable state is guarded by {@code this}. Frames are queued under the lock and written outside it;
 * listeners are told and futures completed outside it too.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger log = MaskedLogging.logger(WorkerPool.class);
    private static final int MAX_FAILED_STARTS = 3;
    private static final int LOG_TAIL_CHARS = 2000;
    private static final String WORKER_MAIN = WorkerMain.class.getName();
    /**
     * {@code setsid}, which starts each worker in a session of its own, when this system has it: a terminal's
     * Ctrl-C (or a signal to the coordinator's process group) then reaches the coordinator alone, which stops the
     * run in order, and workers need not ignore those signals, so the programs their tasks start get them as any
     * program does. Without it, workers ignore them, and so do their programs (see {@link WorkerMain}).
     */
    private static final Optional<String> SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    /** Pool directories are named after their coordinator's pid, so that those of dead coordinators can go. */
    private static final String DIR_PREFIX = "mpflow-";
    /** The most attempts sent to one worker and not answered. */
    static final int MAX_IN_FLIGHT = 64;
    /** Weight of the newest run time in the moving average that sets how far ahead to send. */
    private static final double RUN_TIME_WEIGHT = 0.2;
    private static final int MAX_BATCH = 256;
    private static final byte[] NO_PAYLOAD = new byte[0];

    private final PoolConfig config;
    private final Consumer<PendingAttemptStart> onAttemptStart;
    private final Path dir;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final AtomicLong attemptIds = new AtomicLong();

    private final AttemptQueue queue = new AttemptQueue();
    private final Map<Integer, WorkerHandle> workers = new HashMap<>();
    private int nextWorkerId;
    private int failedStartsInARow;
    private String brokenReason;
    /** Set once by {@link #halt}: from then on no attempt starts. */
    private String haltReason;
    private boolean closed;
    /** Moving average of how long an attempt runs, in nanoseconds; negative until one has run. */
    private double runNanos = -1;
    /** A look for work to take back is due on the timer. */
    private boolean stealCheckScheduled;
    /** Class data sharing for the workers, if this JVM can offer it. */
    private final WorkerArchive archive;
    /** How many attempts workers gave back; for tests. */
    private long revoked;

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
        this.archive = config.archiveDirectory().flatMap(d -> WorkerArchive.of(d, config.javaCommand(),
                config.classPath(), config.jvmOptions())).orElse(null);
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
     * completes exceptionally only with a {@link WorkflowClosedException} (the pool closed first), a
     * {@link TaskCancelledException} (the run halted first) or an {@link MpflowException} (the pool cannot start
     * workers).
     */
    public CompletableFuture<AttemptOutcome> submit(Job job, int attempt) {
        AttemptFuture future = new AttemptFuture();
        submit(job, attempt, future);
        return future;
    }

    /** Queues one attempt of {@code job}; {@code callback} is told how it ended, as the future of the other form. */
    public void submit(Job job, int attempt, AttemptCallback callback) {
        PendingAttempt pending = new PendingAttempt(attemptIds.incrementAndGet(), job, attempt, callback);
        Throwable refused;
        synchronized (this) {
            if (closed) {
                refused = new WorkflowClosedException("the workflow is closed");
            } else if (brokenReason != null) {
                refused = new MpflowException(brokenReason);
            } else if (haltReason != null) {
                refused = new TaskCancelledException(haltReason, false);
            } else {
                refused = null;
                queue.add(pending);
                ensureWorkers();
            }
        }
        if (refused != null) {
            fail(pending, refused);
            return;
        }
        dispatch();
    }

    /** A future that is its attempt's callback. */
    private static final class AttemptFuture extends CompletableFuture<AttemptOutcome> implements AttemptCallback {
        @Override
        public void completed(AttemptOutcome outcome) {
            complete(outcome);
        }

        @Override
        public void failed(Throwable reason) {
            completeExceptionally(reason);
        }
    }

    /**
     * No attempt will name {@code work} again: workers that have it may drop it. Told with the next frames sent to
     * each, as it is no hurry.
     */
    public void forget(WorkDefinition work) {
        synchronized (this) {
            for (WorkerHandle w : workers.values()) {
                if (w.knownWork.remove(work.id()) && w.channel != null) {
                    w.enqueue(FrameType.FORGET, work.id(), NO_PAYLOAD);
                }
            }
        }
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
     * Stops starting attempts: queued ones, those sent ahead to workers and not started, and any submitted later,
     * complete exceptionally with a {@link TaskCancelledException} carrying {@code reason}. With
     * {@code stopRunning}, running attempts are ended the same way and their workers killed. Workers that die from
     * now on are not replaced. Idempotent; the first reason stays.
     */
    public void halt(String reason, boolean stopRunning) {
        List<PendingAttempt> dropped;
        List<WorkerHandle> stopped = new ArrayList<>();
        List<WorkerHandle> touched = new ArrayList<>();
        List<PendingAttempt> running = new ArrayList<>();
        synchronized (this) {
            if (haltReason == null) {
                haltReason = reason;
            }
            dropped = queue.drain();
            for (WorkerHandle w : workers.values()) {
                if (w.inFlight.isEmpty()) {
                    continue;
                }
                if (stopRunning) {
                    running.add(w.inFlight.pollFirst());
                    dropped.addAll(w.inFlight);
                    w.inFlight.clear();
                    cancelTimeout(w);
                    w.moveTo(WorkerState.STOPPING);
                    stopped.add(w);
                } else if (revokeWaiting(w, Integer.MAX_VALUE)) {
                    touched.add(w);
                }
            }
            notifyAll();
        }
        String why = haltReason;
        dropped.forEach(a -> fail(a, new TaskCancelledException(why, false)));
        stopped.forEach(WorkerHandle::kill);
        running.forEach(a -> stop(a, new TaskCancelledException(why, true)));
        send(touched);
    }

    /** Waits until no attempt is running or sent ahead, at most {@code timeout}; returns whether none is. */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (workers.values().stream().anyMatch(w -> !w.inFlight.isEmpty())) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** How many attempts wait to start: in the queue, or sent ahead to a worker. */
    public synchronized int queued() {
        int n = queue.size();
        for (WorkerHandle w : workers.values()) {
            n += Math.max(0, w.inFlight.size() - 1);
        }
        return n;
    }

    /** How many attempts the worker with this pid has been sent and not answered; for tests. */
    synchronized int inFlight(long workerPid) {
        return workers.values().stream().filter(w -> w.pid() == workerPid).mapToInt(w -> w.inFlight.size()).sum();
    }

    /** How many attempts workers have given back so far; for tests. */
    synchronized long revoked() {
        return revoked;
    }

    /** How many attempts are running now. */
    public synchronized int running() {
        return (int) workers.values().stream().filter(w -> !w.inFlight.isEmpty()).count();
    }

    /** Hands queued attempts to workers with room for them. */
    private void dispatch() {
        List<PendingAttempt> started = new ArrayList<>(2);
        List<WorkerHandle> touched = new ArrayList<>(2);
        synchronized (this) {
            fill(started, touched);
        }
        announce(started);
        send(touched);
    }

    /**
     * Moves queued attempts to the least loaded workers, each up to the in-flight limit; when the queue runs dry and
     * a worker has nothing, takes back attempts waiting on the others. Must hold the lock.
     */
    private void fill(List<PendingAttempt> started, List<WorkerHandle> touched) {
        if (closed || haltReason != null) {
            return;
        }
        int limit = inFlightLimit();
        while (!queue.isEmpty()) {
            WorkerHandle w = leastLoaded(limit);
            if (w == null) {
                return;
            }
            sendAttempt(w, queue.poll(), started);
            if (!touched.contains(w)) {
                touched.add(w);
            }
        }
        stealForIdleWorkers(touched);
    }

    /**
     * A worker with nothing to do takes back half of what waits behind an attempt that has run for longer than
     * expected on another worker. One that has just started may well end soon, and taking work back costs two
     * frames per attempt, so the pool waits a while first (and looks again when that while is over). Must hold the
     * lock.
     */
    private void stealForIdleWorkers(List<WorkerHandle> touched) {
        Instant now = Instant.now();
        long patience = (long) Math.max(config.aheadBudget().toNanos(), 4 * runNanos);
        long soonest = Long.MAX_VALUE;
        for (WorkerHandle idle : workers.values()) {
            if (!idle.ready() || !idle.inFlight.isEmpty()) {
                continue;
            }
            WorkerHandle donor = null;
            int most = 0;
            for (WorkerHandle w : workers.values()) {
                int waiting = w.ready() ? waitingCount(w) : 0;
                if (waiting == 0) {
                    continue;
                }
                long ranFor = w.inFlight.peekFirst().ranNanos(now);
                if (ranFor < patience) {
                    soonest = Math.min(soonest, patience - ranFor);
                } else if (waiting > most) {
                    donor = w;
                    most = waiting;
                }
            }
            if (donor == null) {
                break;
            }
            revokeWaiting(donor, (most + 1) / 2);
            if (!touched.contains(donor)) {
                touched.add(donor);
            }
        }
        if (soonest != Long.MAX_VALUE && !stealCheckScheduled) {
            stealCheckScheduled = true;
            try {
                config.timer().schedule(() -> {
                    synchronized (this) {
                        stealCheckScheduled = false;
                    }
                    dispatch();
                }, soonest, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                stealCheckScheduled = false; // the workflow is closing: nothing more will be sent
            }
        }
    }

    /** How many attempts sent ahead to {@code w} could be taken back. Must hold the lock. */
    private static int waitingCount(WorkerHandle w) {
        int n = 0;
        boolean first = true;
        for (PendingAttempt a : w.inFlight) {
            if (!first && !a.revoking) {
                n++;
            }
            first = false;
        }
        return n;
    }

    /** Asks {@code w} to give back up to {@code max} of the attempts waiting on it, newest first. Must hold the lock. */
    private static boolean revokeWaiting(WorkerHandle w, int max) {
        int n = 0;
        Iterator<PendingAttempt> newestFirst = w.inFlight.descendingIterator();
        while (n < max && newestFirst.hasNext()) {
            PendingAttempt a = newestFirst.next();
            if (a == w.inFlight.peekFirst()) {
                break;
            }
            if (!a.revoking) {
                a.revoking = true;
                w.enqueue(FrameType.REVOKE, a.id, NO_PAYLOAD);
                n++;
            }
        }
        return n > 0;
    }

    /** The ready worker with the fewest attempts in flight, if it has fewer than {@code limit}. Must hold the lock. */
    private WorkerHandle leastLoaded(int limit) {
        WorkerHandle best = null;
        for (WorkerHandle w : workers.values()) {
            if (w.ready() && w.inFlight.size() < limit && (best == null || w.inFlight.size() < best.inFlight.size())) {
                best = w;
            }
        }
        return best;
    }

    /** How many attempts a worker may have in flight: as many as fit in the budget of expected run time. */
    private int inFlightLimit() {
        if (runNanos < 0) {
            return 1;
        }
        return (int) Math.max(1, Math.min(MAX_IN_FLIGHT, config.aheadBudget().toNanos() / Math.max(1.0, runNanos)));
    }

    /** Queues {@code a} (and its work, the first time) for {@code w}. Must hold the lock. */
    private void sendAttempt(WorkerHandle w, PendingAttempt a, List<PendingAttempt> started) {
        WorkDefinition work = a.job.work();
        if (w.knownWork.add(work.id())) {
            w.enqueue(FrameType.DEFINE, work.id(), new Define(work.bytes()).encode());
        }
        w.enqueue(FrameType.EXECUTE, a.id, new Execute(a.attempt, config.captureLimitBytes(), config.maxResultBytes(),
                work.id(), a.job.task(), a.job.argument()).encode());
        w.inFlight.addLast(a);
        if (w.inFlight.size() == 1) {
            w.moveTo(WorkerState.BUSY);
            start(w, a, started, Instant.now());
        }
    }

    /** {@code a} is now the attempt {@code w} runs: its clock and its timeout start. Must hold the lock. */
    private void start(WorkerHandle w, PendingAttempt a, List<PendingAttempt> started, Instant now) {
        a.startedAt = now;
        a.worker = w;
        a.job.timeout().ifPresent(t -> w.timeout = config.timer().schedule(() -> onTimeout(w, a),
                t.toNanos(), TimeUnit.NANOSECONDS));
        started.add(a);
    }

    private void announce(List<PendingAttempt> started) {
        for (PendingAttempt a : started) {
            announce(a);
        }
    }

    private void announce(PendingAttempt a) {
        a.announceStart(() -> onAttemptStart.accept(new PendingAttemptStart(a.job, a.attempt, a.workerPid(), a.startedAt)));
    }

    /** Completes an attempt that ran; its start is told first if it has not been yet. */
    private void complete(PendingAttempt a, AttemptOutcome outcome) {
        announce(a);
        if (a.markDone()) {
            a.callback.completed(outcome);
        }
    }

    /** Ends an attempt that got no outcome. */
    private static void fail(PendingAttempt a, Throwable reason) {
        if (a.markDone()) {
            a.callback.failed(reason);
        }
    }

    /** Ends an attempt that was running and got no outcome; the callback learns where and since when it ran. */
    private void stop(PendingAttempt a, Throwable reason) {
        long pid;
        Instant startedAt;
        synchronized (this) {
            pid = a.workerPid();
            startedAt = a.startedAt;
        }
        if (startedAt == null || pid == 0) {
            fail(a, reason);
            return;
        }
        announce(a);
        if (a.markDone()) {
            a.callback.stopped(reason, pid, startedAt);
        }
    }

    private static void send(List<WorkerHandle> touched) {
        for (WorkerHandle w : touched) {
            try {
                w.send();
            } catch (IOException e) {
                // The worker is dying; its reader reports what it was running.
                log.debug("cannot send to {}: {}", w, e.toString());
                w.kill();
            }
        }
    }

    /**
     * Takes back {@code rest} (sent ahead to a worker that stopped, never started): to the queue while the run
     * goes on, else cancelled or closed. Must hold the lock; the returned actions run outside it.
     */
    private void requeue(Collection<PendingAttempt> rest, List<Runnable> after) {
        for (PendingAttempt a : rest) {
            a.revoking = false;
            a.startedAt = null;
            a.worker = null;
            if (closed) {
                after.add(() -> fail(a, new WorkflowClosedException(
                        "the workflow was closed before task " + a.job.label() + " started")));
            } else if (haltReason != null) {
                String why = haltReason;
                after.add(() -> fail(a, new TaskCancelledException(why, false)));
            } else {
                queue.add(a);
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
                worker.moveTo(WorkerState.IDLE);
                failedStartsInARow = 0;
                if (closed) {
                    worker.moveTo(WorkerState.STOPPING);
                    worker.kill();
                }
            }
            Thread.currentThread().setName("mpflow-worker-" + worker.id + "-reader");
            log.debug("{} connected", worker);
            dispatch();
            List<Frame> batch = new ArrayList<>();
            Frame frame;
            while ((frame = reader.read()) != null) {
                // Whatever else has arrived is handled with it, under one lock, and answered with one write.
                batch.add(frame);
                while (batch.size() < MAX_BATCH && reader.hasBuffered()) {
                    Frame more = reader.read();
                    if (more == null) {
                        break;
                    }
                    batch.add(more);
                }
                onFrames(worker, batch);
                batch.clear();
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

    /** A decoded reply: what the frame said, read outside the lock. */
    private record Reply(FrameType type, long id, Object message) {
    }

    private void onFrames(WorkerHandle worker, List<Frame> frames) throws IOException {
        List<Reply> replies = new ArrayList<>(frames.size());
        for (Frame f : frames) {
            replies.add(new Reply(f.type(), f.id(), switch (f.type()) {
                case SUCCESS -> Success.decode(f.payload());
                case FAILURE -> Failure.decode(f.payload());
                case SPAWNED -> Spawned.decode(f.payload());
                case REVOKED -> null;
                default -> throw new IOException("unexpected frame " + f.type() + " from " + worker);
            }));
        }
        // A failure may halt the run (its halt policy decides as it completes): then nothing more may start
        // before it has completed. Otherwise new work goes out first, so that workers are busy while results
        // are handed on.
        boolean failures = replies.stream().anyMatch(r -> r.type() == FrameType.FAILURE);
        List<Runnable> after = new ArrayList<>(frames.size());
        List<PendingAttempt> started = new ArrayList<>(frames.size());
        List<WorkerHandle> touched = new ArrayList<>(2);
        synchronized (this) {
            for (Reply r : replies) {
                onReply(worker, r, started, after);
            }
            notifyAll();
            if (!failures) {
                fill(started, touched);
            }
        }
        send(touched);
        // Ends before starts: listeners hear a worker finish one attempt before it starts the next.
        after.forEach(Runnable::run);
        announce(started);
        if (failures) {
            dispatch();
        }
    }

    /** Must hold the lock; what completes attempts goes into {@code after}, to run outside it. */
    private void onReply(WorkerHandle worker, Reply r, List<PendingAttempt> started, List<Runnable> after) {
        PendingAttempt head = worker.inFlight.peekFirst();
        switch (r.type()) {
            case SPAWNED -> {
                if (head != null && head.id == r.id()) {
                    worker.spawned.add(((Spawned) r.message()).pid());
                }
            }
            case REVOKED -> {
                PendingAttempt a = null;
                for (PendingAttempt p : worker.inFlight) {
                    if (p.id == r.id()) {
                        a = p;
                        break;
                    }
                }
                if (a == null) {
                    return;
                }
                worker.inFlight.remove(a);
                revoked++;
                if (a == head) {
                    // Taken back just as its turn came: it never ran, so the next one is the one running.
                    cancelTimeout(worker);
                    nextOrIdle(worker, started, Instant.now());
                }
                requeue(List.of(a), after);
            }
            default -> {
                if (head == null || head.id != r.id()) {
                    return; // a reply to an attempt already given up on (timed out, halted)
                }
                worker.inFlight.pollFirst();
                // The attempt ended in the worker, which ended its programs itself; their pids may now be reused.
                worker.spawned.clear();
                cancelTimeout(worker);
                AttemptOutcome outcome = outcome(head, r);
                long ran = head.ranNanos(outcome.endedAt());
                runNanos = runNanos < 0 ? ran : runNanos + RUN_TIME_WEIGHT * (ran - runNanos);
                if (worker.state() == WorkerState.BUSY) {
                    // The next one started when this one ended, as far as the coordinator can tell.
                    nextOrIdle(worker, started, outcome.endedAt());
                }
                after.add(() -> complete(head, outcome));
            }
        }
    }

    /** The worker's next attempt starts, or it has none left. Must hold the lock. */
    private void nextOrIdle(WorkerHandle worker, List<PendingAttempt> started, Instant now) {
        PendingAttempt next = worker.inFlight.peekFirst();
        if (next != null) {
            start(worker, next, started, now);
        } else if (worker.state() == WorkerState.BUSY) {
            worker.moveTo(WorkerState.IDLE);
        }
    }

    private static AttemptOutcome outcome(PendingAttempt a, Reply r) {
        Instant end = Instant.now();
        if (r.message() instanceof Success s) {
            return new AttemptOutcome(a.attempt, TaskStatus.SUCCEEDED, s.value(), Optional.empty(), false,
                    List.of(), -1, Optional.empty(), a.workerPid(), a.startedAt, end, text(s.stdout()),
                    text(s.stderr()));
        }
        Failure f = (Failure) r.message();
        return new AttemptOutcome(a.attempt, TaskStatus.FAILED, new byte[0],
                Optional.of(new TaskError(f.errorType(), f.message(), f.stackTrace())), f.retryable(),
                errorTypes(f), f.exitCode(), f.agent().isEmpty() ? Optional.empty() : Optional.of(f.agent()),
                a.workerPid(), a.startedAt, end, text(f.stdout()), text(f.stderr()));
    }

    private void onTimeout(WorkerHandle worker, PendingAttempt a) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (worker.inFlight.peekFirst() != a) {
                return;
            }
            worker.inFlight.pollFirst();
            // Those behind it never started: they run elsewhere, on no attempt of theirs.
            requeue(new ArrayList<>(worker.inFlight), after);
            worker.inFlight.clear();
            worker.timeout = null;
            worker.moveTo(WorkerState.STOPPING);
            notifyAll();
        }
        Instant end = Instant.now();
        long millis = a.job.timeout().orElseThrow().toMillis();
        log.warn("task {} attempt {} timed out after {} ms on worker pid {}; killing the worker", a.job.label(),
                a.attempt, millis, a.workerPid());
        worker.kill();
        complete(a, AttemptOutcome.failed(a.attempt, TaskStatus.TIMED_OUT,
                new TaskError("Timeout", "attempt exceeded its timeout of " + millis + " ms", ""),
                a.workerPid(), a.startedAt, end));
        after.forEach(Runnable::run);
        dispatch();
    }

    /** The worker's channel closed: it exited, was killed, or is being stopped. */
    private void onWorkerGone(WorkerHandle worker) {
        worker.killSpawned();
        PendingAttempt a;
        boolean replace;
        boolean wasClosed;
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (worker.state() == WorkerState.DEAD) {
                return;
            }
            worker.moveTo(WorkerState.DEAD);
            workers.remove(worker.id);
            a = worker.inFlight.pollFirst();
            requeue(new ArrayList<>(worker.inFlight), after);
            worker.inFlight.clear();
            cancelTimeout(worker);
            wasClosed = closed;
            replace = !closed && haltReason == null;
            notifyAll();
        }
        if (a != null) {
            Instant end = Instant.now();
            if (!wasClosed) {
                String how = exitDescription(worker);
                log.warn("worker pid {} died running task {} attempt {}: {}", worker.pid(), a.job.label(),
                        a.attempt, how);
                complete(a, AttemptOutcome.failed(a.attempt, TaskStatus.CRASHED,
                        new TaskError("WorkerCrashed", "worker process " + worker.pid() + " " + how, logTail(worker)),
                        a.workerPid(), a.startedAt, end));
            } else {
                stop(a, new WorkflowClosedException(
                        "the workflow was closed while task " + a.job.label() + " was running"));
            }
        }
        after.forEach(Runnable::run);
        deleteQuietly(worker.log);
        if (replace) {
            synchronized (this) {
                if (!closed && haltReason == null) {
                    ensureWorkers();
                }
            }
            dispatch();
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
                failed = queue.drain();
            }
        }
        if (reason != null) {
            log.error(reason);
            for (PendingAttempt a : failed) {
                fail(a, new MpflowException(reason));
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
        long alive = 0;
        long pending = queue.size();
        for (WorkerHandle w : workers.values()) {
            if (w.state() != WorkerState.STOPPING && w.state() != WorkerState.DEAD) {
                alive++;
            }
            pending += w.inFlight.size();
        }
        long wanted = Math.min(config.maxWorkers(), pending);
        for (long i = alive; i < wanted; i++) {
            launchWorker();
        }
    }

    /** Must hold the lock. */
    private void launchWorker() {
        int id = nextWorkerId++;
        Path logFile = dir.resolve("worker-" + id + ".log");
        List<String> command = new ArrayList<>();
        // setsid execs the JVM in the process it is started as (it is no group leader): the pid stays the worker's.
        SETSID.ifPresent(command::add);
        command.add(config.javaCommand());
        command.addAll(config.jvmOptions());
        if (SETSID.isPresent()) {
            command.add("-D" + WorkerMain.OWN_SESSION_PROPERTY + "=true");
        }
        Path recording = null;
        if (archive != null) {
            Path next = archive.recordingFor(id);
            List<String> sharing = archive.optionsForNextWorker(next);
            command.addAll(sharing);
            recording = WorkerArchive.records(sharing) ? next : null;
        }
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
            List<PendingAttempt> failed = queue.drain();
            // Told on the timer, not here under the lock: what callbacks do may call back into the pool.
            String reason = brokenReason;
            config.timer().execute(() -> failed.forEach(a -> fail(a, new MpflowException(reason))));
            return;
        }
        WorkerHandle worker = new WorkerHandle(id, process, logFile, SETSID.isPresent());
        workers.put(id, worker);
        Path recorded = recording;
        process.onExit().thenRun(() -> {
            // However it ended, what its tasks' programs left running in its session goes with it.
            worker.endSession();
            onProcessExit(worker);
            if (recorded != null) {
                archive.recordingEnded(recorded);
            }
        });
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

    /**
     * What an attempt printed to one stream, as kept; when some was dropped, a note of how much on a line of its
     * own: after what was kept (on a new line unless it ended one), or alone when nothing was kept.
     */
    static String text(Captured c) {
        String s = new String(c.bytes(), StandardCharsets.UTF_8);
        if (c.droppedBytes() == 0) {
            return s;
        }
        String note = "[mpflow: " + c.droppedBytes() + " more bytes not kept]";
        return s.isEmpty() || s.endsWith("\n") ? s + note : s + "\n" + note;
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
            dropped = queue.drain();
            all = new ArrayList<>(workers.values());
            for (WorkerHandle w : all) {
                if (w.state() != WorkerState.DEAD && w.state() != WorkerState.STOPPING) {
                    w.moveTo(WorkerState.STOPPING);
                }
                if (w.channel != null) {
                    w.enqueue(FrameType.SHUTDOWN, 0, NO_PAYLOAD);
                }
            }
        }
        dropped.forEach(a -> fail(a, new WorkflowClosedException("the workflow is closed")));
        for (WorkerHandle w : all) {
            if (w.channel != null) {
                try {
                    w.send();
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
            w.endSession();
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
