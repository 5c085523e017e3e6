package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./mpflow} launcher's build step, with a stand-in for Maven on the PATH, so that what the launcher does
 * with the build's output is tested without a real build.
 */
class LauncherIT {
    @TempDir
    Path dir;

    @Test
    void aFailedBuildShowsMavensMessagesWithoutColourCodesAndExitsWithTwo() throws Exception {
        Path root = Files.createDirectories(dir.resolve("checkout"));
        Files.copy(Path.of("..", "mpflow").toAbsolutePath().normalize(), root.resolve("mpflow"));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        Files.createDirectories(root.resolve("mpflow-cli/src/main"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path mvn = bin.resolve("mvn");
        // What Maven 3.8 prints in batch mode with colours off: resets around every line, on both streams.
        Files.writeString(mvn, "#!/bin/sh\nprintf '\\033[0m\\033[0m[ERROR] COMPILATION ERROR : boom\\033[0m\\n'\n"
                + "printf '\\033[0m[ERROR] Failed to execute goal\\033[0m\\n' >&2\nexit 1\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));

        ProcessBuilder launcher = new ProcessBuilder("bash", root.resolve("mpflow").toString(), "--version")
                .redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile());
        launcher.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process process = launcher.start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }

        String err = Files.readString(dir.resolve("err"), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(err).doesNotContain("\u001b").isEqualTo("""
                mpflow: building with Maven (first run, or sources changed)...
                [ERROR] COMPILATION ERROR : boom
                [ERROR] Failed to execute goal
                mpflow: the build failed; see the Maven output above
                """);
        assertThat(dir.resolve("out")).isEmptyFile();
    }
}
