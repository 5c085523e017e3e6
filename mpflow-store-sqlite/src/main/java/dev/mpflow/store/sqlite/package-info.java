/**
 * The default result store of mpflow: every run, attempt and final result autosaved to a SQLite file. The core
 * finds {@link dev.mpflow.store.sqlite.SqliteResultStoreProvider} through {@link java.util.ServiceLoader} and feeds
 * the store workflow events; the store queues them and one writer thread commits them in batches, so that the
 * workflow never waits for the disk. The schema is versioned by SQL migrations shipped in this module and applied
 * when a store is opened, and {@link dev.mpflow.store.sqlite.SqliteRunHistory} reads past runs back for tests and
 * the command line.
 */
package dev.mpflow.store.sqlite;
