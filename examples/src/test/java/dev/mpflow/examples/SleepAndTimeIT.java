package dev.mpflow.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mpflow.testing.NoProcessLeftBehind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Runs the example as a user would, in a JVM of its own, and checks what it prints. */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class SleepAndTimeIT {
    private static final Pattern RESULT = Pattern.compile(
            "  (agent\\d)\\s+succeeded (.+?)\\s+worker pid (\\d+)\\s+(\\d+) ms");
    private static final Pattern TAG = Pattern.compile("(agent\\d)\\[pid (\\d+)\\] ");

    @TempDir
    Path dir;

    @Test
    void printsOneResultPerAgentFromTwoWorkersThenThePipelineResult() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SleepAndTime.class.getName())
                .directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0)).isEqualTo("run: one job per agent, in parallel");
        Matcher first = matched(lines.get(1));
        Matcher second = matched(lines.get(2));
        assertThat(first.group(1)).isEqualTo("agent1");
        assertThat(second.group(1)).isEqualTo("agent2");
        // Each agent ran in a worker process of its own, and tagged the value with that worker's pid.
        assertThat(first.group(3)).isNotEqualTo(second.group(3));
        assertThat(first.group(2)).startsWith("agent1[pid " + first.group(3) + "] ").matches(".*\\d\\d:\\d\\d:\\d\\d.*");
        assertThat(second.group(2)).startsWith("agent2[pid " + second.group(3) + "] ");
        assertThat(Long.parseLong(first.group(4))).isGreaterThanOrEqualTo(1000);
        assertThat(lines.get(3)).matches("run id: \\d{8}-\\d{6}-[0-9a-f]{4}");
        assertThat(lines.get(4)).isEqualTo("store:  " + dir.toRealPath().resolve(".mpflow/runs.db"));
        assertThat(Files.exists(dir.resolve(".mpflow/runs.db"))).isTrue();
        assertThat(lines.get(5)).isEqualTo("executeTask: through agent1, then agent2");
        Matcher pipeline = matched(lines.get(6));
        assertThat(pipeline.group(1)).isEqualTo("agent2");
        // Both agents of the pipeline ran in the same worker, agent2 on agent1's output.
        Matcher tags = TAG.matcher(pipeline.group(2));
        assertThat(tags.find()).isTrue();
        assertThat(tags.group(1)).isEqualTo("agent2");
        assertThat(tags.find()).isTrue();
        assertThat(tags.group(1)).isEqualTo("agent1");
        assertThat(tags.group(2)).isEqualTo(pipeline.group(3));
    }

    private static Matcher matched(String line) {
        Matcher m = RESULT.matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        return m;
    }
}
