package dev.mpflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mpflow.testing.NoProcessLeftBehind;
import dev.mpflow.testing.ProcessTree;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Workers, and what their tasks started, never outlive a coordinator that dies. */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(90)
class CoordinatorDeathIT {

    @Test
    void sigkilledCoordinatorLeavesNoWorkerOrCommandBehind() throws Exception {
        Process coordinator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DyingCoordinator.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(coordinator.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            List<ProcessHandle> left = coordinator.descendants().toList();
            assertThat(left.stream().filter(p -> p.info().command().orElse("").endsWith("sleep"))).hasSize(2);
            assertThat(left.stream().filter(p -> p.info().commandLine().orElse("").contains("WorkerMain"))).hasSize(2);

            coordinator.destroyForcibly(); // SIGKILL: no shutdown hook, no close()

            // Ended, not reaped: orphans wait as zombies until init (or a container's first process) reaps them.
            ProcessTree.awaitAllDead("workers and their commands to end", left, Duration.ofSeconds(2));
        } finally {
            coordinator.descendants().forEach(ProcessHandle::destroyForcibly);
            coordinator.destroyForcibly();
        }
    }
}
