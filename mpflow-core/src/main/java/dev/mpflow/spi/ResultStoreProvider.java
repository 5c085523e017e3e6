package dev.mpflow.spi;

import java.nio.file.Path;

/**
 * Opens {@link ResultStore}s; found with {@link java.util.ServiceLoader}. The {@code mpflow-store-sqlite} module
 * provides the default one.
 */
public interface ResultStoreProvider {
    /**
     * Opens (creating when missing) the store at {@code location}, and its parent directories.
     *
     * @throws dev.mpflow.MpflowException naming the location when it cannot be opened or written
     */
    ResultStore open(Path location);
}
