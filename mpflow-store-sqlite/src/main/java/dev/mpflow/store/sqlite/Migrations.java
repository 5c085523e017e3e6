package dev.mpflow.store.sqlite;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskKey;
import dev.mpflow.spi.MaskingLoggers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.sqlite.Function;

/**
 * The store's schema migrations: SQL resources {@code migrations/V<n>__<description>.sql} next to this class,
 * listed in {@code migrations/index.txt}. The index is read instead of scanning the class path because a jar's
 * directories cannot be listed reliably (shaded jars, custom class loaders).
 *
 * <p>{@code PRAGMA user_version} records the last migration applied. Each migration runs in its own
 * {@code BEGIN IMMEDIATE} transaction together with the new user_version, so a database is never left half
 * migrated, and two processes opening the same new file at once apply each migration exactly once.
 *
 * <p>Migrations run with foreign keys off, so that a script may rebuild a table the way SQLite documents it
 * (create the new table, copy, drop the old one, rename) without the drop cascading to the rows that refer to it.
 * Scripts may call {@value #TASK_KEY_FUNCTION}{@code (task, agent, input)}, which computes
 * {@link TaskKey#of} in Java: that is how rows written before keys existed get theirs.
 */
final class Migrations {
    private static final Logger log = MaskingLoggers.of(Migrations.class);

    private static final String DIRECTORY = "migrations/";
    private static final String INDEX = DIRECTORY + "index.txt";
    private static final Pattern FILE_NAME = Pattern.compile("V([1-9][0-9]*)__[A-Za-z0-9_]+\\.sql");

    /** The SQL function computing {@link TaskKey#of}, for scripts that fill in keys of existing rows. */
    static final String TASK_KEY_FUNCTION = "mpflow_task_key";

    /** One migration script. */
    record Migration(int version, String name, String script) {
    }

    private static List<Migration> loaded;

    private Migrations() {
    }

    /** Every migration, in order: the one at index {@code i} has version {@code i + 1}. */
    static synchronized List<Migration> all() {
        if (loaded == null) {
            loaded = List.copyOf(load());
        }
        return loaded;
    }

    /** The schema version this code creates and understands. */
    static int latestVersion() {
        List<Migration> all = all();
        return all.isEmpty() ? 0 : all.get(all.size() - 1).version();
    }

    /**
     * Brings the database behind {@code connection} to {@link #latestVersion()}.
     *
     * @throws StoreOpenException naming {@code location} when the database is newer than this code, or a migration
     *     fails (it is rolled back)
     */
    static void migrate(Connection connection, Path location) {
        List<Migration> all = all();
        int latest = latestVersion();
        int current;
        try {
            current = SqliteSupport.userVersion(connection);
        } catch (SQLException e) {
            throw new StoreOpenException(location, SqliteSupport.oneLine(e), e);
        }
        refuseNewer(current, latest, location, "open");
        if (current == latest) {
            return;
        }
        boolean foreignKeys;
        try {
            registerFunctions(connection);
            // A no-op inside a transaction: switched before each migration's BEGIN, back after the last one.
            foreignKeys = "1".equals(SqliteSupport.queryText(connection, "PRAGMA foreign_keys"));
            SqliteSupport.execute(connection, "PRAGMA foreign_keys = OFF");
        } catch (SQLException e) {
            throw new StoreOpenException(location, SqliteSupport.oneLine(e), e);
        }
        try {
            for (int version = current + 1; version <= latest; version++) {
                apply(connection, all.get(version - 1), latest, location);
            }
        } finally {
            if (foreignKeys) {
                try {
                    SqliteSupport.execute(connection, "PRAGMA foreign_keys = ON");
                } catch (SQLException e) {
                    log.warn("store {}: cannot switch foreign keys back on: {}", location, SqliteSupport.oneLine(e));
                }
            }
        }
    }

    /** Registers {@value #TASK_KEY_FUNCTION} on {@code connection}. */
    static void registerFunctions(Connection connection) throws SQLException {
        Function.create(connection, TASK_KEY_FUNCTION, new TaskKeyFunction(), 3, Function.FLAG_DETERMINISTIC);
    }

    /** {@code mpflow_task_key(task, agent, input)}: {@link TaskKey#of}, a NULL agent meaning none. */
    private static final class TaskKeyFunction extends Function {
        private static final int SQLITE_NULL = 5;

        @Override
        protected void xFunc() throws SQLException {
            if (args() != 3) {
                error(TASK_KEY_FUNCTION + " takes 3 arguments");
                return;
            }
            String task = value_text(0);
            String input = value_text(2);
            if (value_type(0) == SQLITE_NULL || value_type(2) == SQLITE_NULL || task == null || input == null) {
                result();
                return;
            }
            Optional<String> agent = value_type(1) == SQLITE_NULL ? Optional.empty()
                    : Optional.ofNullable(value_text(1));
            result(TaskKey.of(task, agent, input));
        }
    }

    private static void apply(Connection connection, Migration migration, int latest, Path location) {
        try {
            // IMMEDIATE takes the write lock before reading user_version, so a concurrent opener waits here
            // (busy_timeout) instead of failing when it upgrades its read to a write.
            SqliteSupport.execute(connection, "BEGIN IMMEDIATE");
        } catch (SQLException e) {
            throw failed(migration, location, e);
        }
        try {
            int current = SqliteSupport.userVersion(connection);
            refuseNewer(current, latest, location, "open");
            if (current >= migration.version()) {
                // Another connection applied it while we waited for the lock.
                SqliteSupport.execute(connection, "COMMIT");
                return;
            }
            try (Statement statement = connection.createStatement()) {
                for (String sql : statements(migration.script())) {
                    statement.execute(sql);
                }
                // PRAGMA takes no parameters; the version is an int, so formatting it in is safe.
                statement.execute("PRAGMA user_version = " + migration.version());
            }
            SqliteSupport.execute(connection, "COMMIT");
            log.debug("store {}: applied migration {}", location, migration.name());
        } catch (SQLException e) {
            SqliteSupport.rollbackQuietly(connection);
            throw failed(migration, location, e);
        } catch (RuntimeException e) {
            SqliteSupport.rollbackQuietly(connection);
            throw e;
        }
    }

    /**
     * Checks that a store about to be read has exactly the schema this code knows; reading never migrates.
     *
     * @throws MpflowException naming {@code location} otherwise
     */
    static void checkReadable(Connection connection, Path location) throws SQLException {
        int current = SqliteSupport.userVersion(connection);
        int latest = latestVersion();
        refuseNewer(current, latest, location, "read");
        if (current == 0) {
            throw new MpflowException("cannot read store " + location + ": it is not an mpflow store (no schema)");
        }
        if (current < latest) {
            throw new MpflowException("cannot read store " + location + ": its schema version " + current
                    + " is older than this mpflow's (" + latest + "); open it as a store once to upgrade it");
        }
    }

    private static void refuseNewer(int current, int latest, Path location, String verb) {
        if (current > latest) {
            String reason = "its schema version " + current + " is newer than this mpflow supports (" + latest
                    + "); use a newer mpflow";
            throw verb.equals("open") ? new StoreOpenException(location, reason, null)
                    : new MpflowException("cannot " + verb + " store " + location + ": " + reason);
        }
    }

    private static MpflowException failed(Migration migration, Path location, SQLException e) {
        return new StoreOpenException(location, "migration " + migration.name() + " failed: "
                + SqliteSupport.oneLine(e), e);
    }

    private static List<Migration> load() {
        List<Migration> migrations = new ArrayList<>();
        for (String line : read(INDEX).split("\\R")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            Matcher matcher = FILE_NAME.matcher(name);
            if (!matcher.matches()) {
                throw new MpflowException("bad migration name in " + INDEX + ": " + name);
            }
            int version = Integer.parseInt(matcher.group(1));
            if (version != migrations.size() + 1) {
                throw new MpflowException("migration " + name + " in " + INDEX + " should have version "
                        + (migrations.size() + 1));
            }
            migrations.add(new Migration(version, name, read(DIRECTORY + name)));
        }
        return migrations;
    }

    private static String read(String resource) {
        try (InputStream in = Migrations.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new MpflowException("missing resource " + resource + " next to " + Migrations.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource, e);
        }
    }

    /**
     * Splits a script into statements at semicolons outside quotes and comments. Enough for DDL; it does not
     * understand trigger bodies ({@code BEGIN ... END}), which the schema does not use.
     */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        int n = script.length();
        while (i < n) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                i = end < 0 ? n : end;
                current.append(' ');
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                current.append(' ');
            } else if (c == '\'' || c == '"' || c == '`') {
                // A quoted string or identifier; a doubled quote inside it is an escaped quote, which this
                // loop handles as two adjacent quoted sections.
                int end = script.indexOf(c, i + 1);
                end = end < 0 ? n : end + 1;
                current.append(script, i, end);
                i = end;
            } else if (c == ';') {
                addStatement(statements, current);
                i++;
            } else {
                current.append(c);
                i++;
            }
        }
        addStatement(statements, current);
        return statements;
    }

    private static void addStatement(List<String> statements, StringBuilder current) {
        String statement = current.toString().strip();
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }
}
