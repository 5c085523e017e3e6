package dev.mpflow.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a descendant process of the test JVM running, after killing them all, so that one
 * faulty test cannot leak processes into the next.
 */
public final class NoProcessLeftBehind implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) {
        try {
            await("descendant processes of the test JVM to end").atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                    .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            throw new AssertionError("processes left behind: " + left, e);
        }
    }
}
