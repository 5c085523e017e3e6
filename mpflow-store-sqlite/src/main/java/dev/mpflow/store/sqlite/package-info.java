/**
 * The default result store of mpflow: every run, attempt and final result autosaved to a SQLite file. The core
 * finds {@link dev.mpflow.store.sqlite.SqliteResultStoreProvider} through {@link java.util.ServiceLoader} and feeds
 * the store workflow events; the store queues them and one writer thread commits them in batches, so that the
 * workflow never waits for the disk. A result counts as done once committed, and a run holds one final result per
 * task, so a run can be resumed after any crash. The schema is versioned by SQL migrations shipped in this module
 * and applied when a store is opened, and {@link dev.mpflow.store.sqlite.SqliteRunHistory} reads past runs back for
 * tests and the command line.
 *
 * <p>Everything is stored as given: the run's workflow name, settings text and agent names, each task's name and
 * input, each result's value text, error and captured output. The store cannot tell a secret from any other text
 * and redacts nothing. Keeping secrets (environment variables, values marked secret) out of what it is given is up
 * to the caller, the command line included: settings and inputs must not carry them, and a task that prints a
 * secret has it stored with its captured output.
 */
package dev.mpflow.store.sqlite;
