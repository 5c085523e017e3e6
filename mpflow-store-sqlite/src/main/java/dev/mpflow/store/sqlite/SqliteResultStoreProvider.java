package dev.mpflow.store.sqlite;

import dev.mpflow.spi.ResultStore;
import dev.mpflow.spi.ResultStoreProvider;
import java.nio.file.Path;

/**
 * Provides {@link SqliteResultStore}s to the core through {@link java.util.ServiceLoader}; registered in
 * {@code META-INF/services/dev.mpflow.spi.ResultStoreProvider}.
 */
public final class SqliteResultStoreProvider implements ResultStoreProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public SqliteResultStoreProvider() {
    }

    /** Opens (creating when missing) the SQLite store at {@code location}; see {@link SqliteResultStore#open}. */
    @Override
    public ResultStore open(Path location) {
        return SqliteResultStore.open(location);
    }
}
