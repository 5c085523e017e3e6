package dev.mpflow.store.sqlite;

import dev.mpflow.RunActiveException;
import java.nio.file.Path;

/**
 * A process of its own that claims a run of a store, for {@link LiveRunsIT}: prints {@code claimed} (the run is
 * started in the store, and held) or {@code refused PID} (another process holds it), then waits until its standard
 * input closes or it is killed, and closes the store.
 *
 * <p>Arguments: the store and the run id.
 */
public final class LiveRunChild {
    private LiveRunChild() {
    }

    public static void main(String[] args) throws Exception {
        try (SqliteResultStore store = SqliteResultStore.open(Path.of(args[0]))) {
            try {
                store.claimRun(args[1]);
            } catch (RunActiveException e) {
                System.out.println("refused " + e.pid().orElse(-1));
                System.out.flush();
                return;
            }
            store.runStarted(Events.run(args[1]));
            System.out.println("claimed");
            System.out.flush();
            while (System.in.read() >= 0) {
                // Holds the run until the test closes this process's input.
            }
        }
    }
}
