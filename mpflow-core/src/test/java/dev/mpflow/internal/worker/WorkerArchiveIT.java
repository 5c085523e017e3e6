package dev.mpflow.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mpflow.RetrySettings;
import dev.mpflow.TaskFunction;
import dev.mpflow.TaskStatus;
import dev.mpflow.internal.AttemptOutcome;
import dev.mpflow.internal.Job;
import dev.mpflow.internal.JobWork;
import dev.mpflow.internal.ValueCodec;
import dev.mpflow.internal.WorkDefinition;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers' class data archives, with real worker JVMs: the first pool records one, later pools start their workers
 * from it, and a damaged one costs nothing but the time it would have saved.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerArchiveIT {
    private static final TaskFunction TWICE = in -> in + in;

    @TempDir
    Path tmp;

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final List<WorkerPool> pools = new ArrayList<>();

    @AfterEach
    void close() {
        pools.forEach(WorkerPool::close);
        timer.shutdownNow();
    }

    /** The test's class path as one jar: archives are made only for class paths of jars. */
    private String jarClassPath() throws IOException {
        Path jar = tmp.resolve("classes.jar");
        List<String> path = new ArrayList<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(entry);
                if (Files.isDirectory(p)) {
                    try (Stream<Path> files = Files.walk(p)) {
                        for (Path f : files.filter(Files::isRegularFile).toList()) {
                            out.putNextEntry(new JarEntry(p.relativize(f).toString().replace(File.separatorChar, '/')));
                            Files.copy(f, (OutputStream) out);
                            out.closeEntry();
                        }
                    }
                } else {
                    path.add(entry);
                }
            }
        }
        path.add(0, jar.toString());
        return String.join(File.pathSeparator, path);
    }

    private WorkerPool pool(String classPath, Path archives) {
        WorkerPool pool = new WorkerPool(new PoolConfig(1, Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), classPath, List.of("-XX:+UseSerialGC"), 1 << 16, 1 << 20, Duration.ofSeconds(60),
                PoolConfig.AHEAD_BUDGET, Optional.of(archives), timer), start -> { });
        pools.add(pool);
        return pool;
    }

    private static AttemptOutcome twice(WorkerPool pool, String input) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new JobWork(TWICE, List.of()));
        }
        Job job = Job.task("twice", Optional.empty(), input, 0, 1, Optional.empty(), RetrySettings.DEFAULT,
                new WorkDefinition(1, bytes.toByteArray()), 1);
        return pool.submit(job, 1).get(60, TimeUnit.SECONDS);
    }

    private static List<Path> archivesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
        }
    }

    private static String commandLine(WorkerPool pool) {
        return ProcessHandle.of(pool.workerPids().get(0)).orElseThrow().info().commandLine().orElse("");
    }

    @Test
    void theFirstPoolRecordsAnArchiveAndTheNextStartsItsWorkersFromIt() throws Exception {
        String classPath = jarClassPath();
        Path archives = tmp.resolve("cds");

        WorkerPool first = pool(classPath, archives);
        assertThat(ValueCodec.decode(twice(first, "ab").value())).isEqualTo("abab");
        assertThat(commandLine(first)).contains("-XX:ArchiveClassesAtExit=").doesNotContain("-XX:SharedArchiveFile=");
        first.close();
        await("the archive").atMost(Duration.ofSeconds(20)).until(() -> archivesIn(archives).size() == 1);
        Path archive = archivesIn(archives).get(0);
        assertThat(Files.size(archive)).isPositive();

        WorkerPool second = pool(classPath, archives);
        assertThat(ValueCodec.decode(twice(second, "cd").value())).isEqualTo("cdcd");
        assertThat(commandLine(second)).contains("-XX:SharedArchiveFile=" + archive)
                .doesNotContain("-XX:ArchiveClassesAtExit=");
        second.close();

        // A damaged archive (another JVM's, a cut file): workers start without it, silently.
        Files.write(archive, new byte[] {1, 2, 3});
        WorkerPool third = pool(classPath, archives);
        AttemptOutcome o = twice(third, "ef");
        assertThat(o.status()).isEqualTo(TaskStatus.SUCCEEDED);
        assertThat(ValueCodec.decode(o.value())).isEqualTo("efef");
    }

    @Test
    void noArchiveForAClassPathWithDirectoriesWhichHotSpotWouldRefuseToRecord() throws Exception {
        Path archives = tmp.resolve("cds");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat(WorkerArchive.of(archives, java, tmp.toString(), List.of())).isEmpty();
        assertThat(WorkerArchive.of(archives, java, jarClassPath(), List.of())).isPresent();
        // Workers of another java may not understand the options.
        assertThat(WorkerArchive.of(archives, "/usr/bin/true", jarClassPath(), List.of())).isEmpty();
    }
}
