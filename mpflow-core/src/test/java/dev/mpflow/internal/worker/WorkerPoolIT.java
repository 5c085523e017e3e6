package dev.mpflow.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mpflow.RetrySettings;
import dev.mpflow.TaskCancelledException;
import dev.mpflow.TaskFunction;
import dev.mpflow.TaskStatus;
import dev.mpflow.internal.AttemptOutcome;
import dev.mpflow.internal.Job;
import dev.mpflow.internal.JobWork;
import dev.mpflow.internal.ValueCodec;
import dev.mpflow.internal.WorkDefinition;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pool on its own, with real worker JVMs: attempts sent ahead to a busy worker wait their turn, and only the one
 * running is charged when its worker dies or times out; an idle worker takes back what waits behind a long attempt;
 * a halt takes back what was sent ahead.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WorkerPoolIT {
    private static final TaskFunction QUICK = in -> "done " + in;
    private static final TaskFunction SLEEP = in -> {
        Thread.sleep(Long.parseLong(in));
        return "slept " + in;
    };
    private static final TaskFunction DIE = in -> {
        Thread.sleep(Long.parseLong(in));
        Runtime.getRuntime().halt(3);
        return null;
    };

    private static final TaskFunction HALT = in -> {
        Runtime.getRuntime().halt(38);
        return null;
    };

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong workIds = new AtomicLong();
    private final List<WorkerPool.PendingAttemptStart> starts = java.util.Collections.synchronizedList(new ArrayList<>());
    private WorkerPool pool;

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
        timer.shutdownNow();
    }

    private Duration aheadBudget = Duration.ofMillis(500);

    private WorkerPool pool(int workers) {
        pool = new WorkerPool(new PoolConfig(workers, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"), List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), 1 << 16,
                // A budget far above any quick attempt's time, so that attempts are sent ahead however loaded the
                // machine; taking back waits as long as the budget, so that test keeps the usual one.
                1 << 20, Duration.ofSeconds(60), aheadBudget, Optional.empty(), timer), starts::add);
        return pool;
    }

    private Job job(String name, TaskFunction fn, String input, Duration timeout) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new JobWork(fn, List.of()));
        }
        return Job.task(name, Optional.empty(), input, 0, sequence.incrementAndGet(), Optional.ofNullable(timeout),
                RetrySettings.DEFAULT, new WorkDefinition(workIds.incrementAndGet(), bytes.toByteArray()), 1);
    }

    private CompletableFuture<AttemptOutcome> submit(String name, TaskFunction fn, String input) throws Exception {
        return pool.submit(job(name, fn, input, null), 1);
    }

    /** Runs enough quick attempts that the pool knows attempts are short, and so sends several ahead. */
    private void warmUp(int count) throws Exception {
        List<CompletableFuture<AttemptOutcome>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(submit("warm-" + i, QUICK, Integer.toString(i)));
        }
        for (CompletableFuture<AttemptOutcome> f : all) {
            assertThat(f.get(60, TimeUnit.SECONDS).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }

    private static Object value(AttemptOutcome o) throws Exception {
        return ValueCodec.decode(o.value());
    }

    private List<CompletableFuture<AttemptOutcome>> followers(int count) throws Exception {
        List<CompletableFuture<AttemptOutcome>> followers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            followers.add(submit("follower-" + i, QUICK, Integer.toString(i)));
        }
        return followers;
    }

    @Test
    void attemptsSentAheadWaitTheirTurnAndEndInOrder() throws Exception {
        pool(1);
        warmUp(20);
        CompletableFuture<AttemptOutcome> slow = submit("slow", SLEEP, "700");
        await().until(() -> starts.stream().anyMatch(s -> s.job().task().equals("slow")));
        List<CompletableFuture<AttemptOutcome>> followers = followers(5);
        long pid = pool.workerPids().get(0);
        await("attempts sent ahead").atMost(Duration.ofSeconds(5)).until(() -> pool.inFlight(pid) > 1);

        AttemptOutcome s = slow.get(30, TimeUnit.SECONDS);
        assertThat(value(s)).isEqualTo("slept 700");
        AttemptOutcome previous = s;
        for (int i = 0; i < followers.size(); i++) {
            AttemptOutcome f = followers.get(i).get(30, TimeUnit.SECONDS);
            assertThat(value(f)).isEqualTo("done " + i);
            assertThat(f.workerPid()).isEqualTo(pid);
            assertThat(f.startedAt()).isAfterOrEqualTo(previous.endedAt());
            previous = f;
        }
    }

    @Test
    void aWorkerThatDiesChargesOnlyTheAttemptItWasRunning() throws Exception {
        pool(1);
        warmUp(20);
        CompletableFuture<AttemptOutcome> dying = submit("dying", DIE, "700");
        await().until(() -> starts.stream().anyMatch(s -> s.job().task().equals("dying")));
        List<CompletableFuture<AttemptOutcome>> followers = followers(5);
        long pid = pool.workerPids().get(0);
        await("attempts sent ahead").atMost(Duration.ofSeconds(5)).until(() -> pool.inFlight(pid) > 1);

        AttemptOutcome d = dying.get(30, TimeUnit.SECONDS);
        assertThat(d.status()).isEqualTo(TaskStatus.CRASHED);
        assertThat(d.error().orElseThrow().message()).isEqualTo("worker process " + pid + " exited with code 3");
        for (int i = 0; i < followers.size(); i++) {
            AttemptOutcome f = followers.get(i).get(60, TimeUnit.SECONDS);
            assertThat(f.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(value(f)).isEqualTo("done " + i);
            assertThat(f.workerPid()).isNotEqualTo(pid);
        }
        // Listeners heard of no follower starting on the worker that died: they never ran there.
        assertThat(starts).filteredOn(s -> s.job().task().startsWith("follower")).extracting(s -> s.workerPid())
                .doesNotContain(pid);
    }

    @Test
    void theReplyOfAnAttemptThatEndedIsNeverLostWithTheWorkerTheNextOneKills() throws Exception {
        pool(1);
        warmUp(20);
        for (int round = 0; round < 5; round++) {
            CompletableFuture<AttemptOutcome> quick = submit("quick-" + round, QUICK, "q" + round);
            CompletableFuture<AttemptOutcome> killer = submit("killer-" + round, HALT, "");

            AttemptOutcome q = quick.get(60, TimeUnit.SECONDS);
            assertThat(q.status()).as("round %d", round).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(value(q)).isEqualTo("done q" + round);
            AttemptOutcome k = killer.get(60, TimeUnit.SECONDS);
            assertThat(k.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(k.error().orElseThrow().message()).endsWith(" exited with code 38");
        }
    }

    @Test
    void aTimeoutChargesOnlyTheAttemptThatRanTooLong() throws Exception {
        pool(1);
        warmUp(20);
        CompletableFuture<AttemptOutcome> hanging = pool.submit(job("hanging", SLEEP, "600000", Duration.ofMillis(700)), 1);
        await().until(() -> starts.stream().anyMatch(s -> s.job().task().equals("hanging")));
        List<CompletableFuture<AttemptOutcome>> followers = followers(5);
        long pid = pool.workerPids().get(0);
        await("attempts sent ahead").atMost(Duration.ofSeconds(5)).until(() -> pool.inFlight(pid) > 1);

        AttemptOutcome h = hanging.get(30, TimeUnit.SECONDS);
        assertThat(h.status()).isEqualTo(TaskStatus.TIMED_OUT);
        assertThat(h.error().orElseThrow().message()).isEqualTo("attempt exceeded its timeout of 700 ms");
        for (int i = 0; i < followers.size(); i++) {
            AttemptOutcome f = followers.get(i).get(60, TimeUnit.SECONDS);
            assertThat(f.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(f.workerPid()).isNotEqualTo(pid);
        }
    }

    @Test
    void anIdleWorkerTakesBackWhatWaitsBehindALongAttempt() throws Exception {
        aheadBudget = Duration.ofMillis(50);
        pool(2);
        warmUp(400);
        assertThat(pool.workerPids()).hasSize(2);
        CompletableFuture<AttemptOutcome> slow = submit("slow", SLEEP, "3000");
        await().until(() -> starts.stream().anyMatch(s -> s.job().task().equals("slow")));
        long slowPid = starts.stream().filter(s -> s.job().task().equals("slow")).findFirst().orElseThrow().workerPid();
        List<CompletableFuture<AttemptOutcome>> followers = followers(40);

        for (CompletableFuture<AttemptOutcome> f : followers) {
            AttemptOutcome o = f.get(2, TimeUnit.SECONDS); // well before the slow one ends
            assertThat(o.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(o.workerPid()).isNotEqualTo(slowPid);
        }
        assertThat(slow.isDone()).isFalse();
        assertThat(pool.revoked()).as("attempts given back").isPositive();
        assertThat(value(slow.get(30, TimeUnit.SECONDS))).isEqualTo("slept 3000");
    }

    @Test
    void aHaltTakesBackWhatWasSentAheadAndLetsTheRunningAttemptFinish() throws Exception {
        pool(1);
        warmUp(20);
        CompletableFuture<AttemptOutcome> slow = submit("slow", SLEEP, "1500");
        await().until(() -> starts.stream().anyMatch(s -> s.job().task().equals("slow")));
        List<CompletableFuture<AttemptOutcome>> followers = followers(5);
        long pid = pool.workerPids().get(0);
        await("attempts sent ahead").atMost(Duration.ofSeconds(5)).until(() -> pool.inFlight(pid) > 1);

        pool.halt("enough", false);

        for (CompletableFuture<AttemptOutcome> f : followers) {
            ExecutionException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    () -> f.get(1, TimeUnit.SECONDS), ExecutionException.class);
            assertThat(e.getCause()).isInstanceOf(TaskCancelledException.class).hasMessage("enough");
            assertThat(((TaskCancelledException) e.getCause()).wasRunning()).isFalse();
        }
        assertThat(slow.isDone()).isFalse();
        assertThat(value(slow.get(30, TimeUnit.SECONDS))).isEqualTo("slept 1500");
        assertThat(starts).extracting(s -> s.job().task()).noneMatch(t -> t.startsWith("follower"));
    }
}
