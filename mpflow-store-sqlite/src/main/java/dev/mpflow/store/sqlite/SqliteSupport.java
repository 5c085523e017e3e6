package dev.mpflow.store.sqlite;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/** Connection set-up and the text encodings shared by the writing and the reading side. */
final class SqliteSupport {
    /** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    /** SQLite's primary result codes that the store reacts to. */
    static final int SQLITE_BUSY = 5;
    static final int SQLITE_LOCKED = 6;
    static final int SQLITE_CONSTRAINT = 19;

    /** {@code SQLITE_OPEN_READONLY}, as the driver's {@code open_mode} property expects it. */
    private static final String OPEN_READ_ONLY = "1";

    // Always nine fractional digits: with a fixed width, text order is time order (ORDER BY started_at works).
    private static final DateTimeFormatter INSTANT_TEXT =
            new DateTimeFormatterBuilder().appendInstant(9).toFormatter(Locale.ROOT);
    private static final long SECONDS_PER_DAY = 86_400;
    /** The times {@link #instantText} writes itself: the years 0 to 9999, which the formatter writes in 4 digits. */
    private static final long FIRST_FAST_SECOND = LocalDate.of(0, 1, 1).toEpochDay() * SECONDS_PER_DAY;
    private static final long LAST_FAST_SECOND = (LocalDate.of(9999, 12, 31).toEpochDay() + 1) * SECONDS_PER_DAY - 1;

    private SqliteSupport() {
    }

    /**
     * Opens a connection to {@code file}. The driver is instantiated directly instead of being looked up through
     * {@link java.sql.DriverManager}, which misses it in fat jars whose service files were not merged and in
     * isolated class loaders.
     */
    static Connection connect(Path file, boolean readOnly) throws SQLException {
        Properties properties = new Properties();
        if (readOnly) {
            // Read-only also means "do not create": a mistyped path must not leave an empty database behind.
            properties.setProperty("open_mode", OPEN_READ_ONLY);
        }
        Connection connection = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file, properties);
        if (connection == null) {
            throw new SQLException("the SQLite driver did not accept the file name");
        }
        return connection;
    }

    /** Runs {@code sql} (a PRAGMA or a transaction command) on its own. */
    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Runs a query returning one value in one row, such as {@code PRAGMA user_version}. */
    static String queryText(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    /** {@code PRAGMA user_version}: the schema version the migrations have reached, 0 for a new database. */
    static int userVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA user_version")) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }

    /** Whether {@code e} is SQLite's {@code code} (primary result code; extended codes carry it in the low byte). */
    static boolean hasCode(SQLException e, int code) {
        return (e.getErrorCode() & 0xff) == code;
    }

    /** Rolls back the open transaction, if any, ignoring failures: the caller is already reporting one. */
    static void rollbackQuietly(Connection connection) {
        try {
            execute(connection, "ROLLBACK");
        } catch (SQLException | RuntimeException ignored) {
            // SQLite may already have rolled back by itself (for example on SQLITE_FULL); nothing to undo then.
        }
    }

    /** The exception's message on one line, for messages naming a store. */
    /**
     * What went wrong with a file, for a message about {@code path}: the system's reason ({@code Not a directory}),
     * or what the exception's type says when it gives none ({@code NoSuchFileException} carries the path alone), and
     * the file it concerns when that is another one.
     */
    static String fileProblem(Throwable e, Path path) {
        if (!(e instanceof FileSystemException f)) {
            return oneLine(e);
        }
        String reason = f.getReason() != null ? f.getReason()
                : f instanceof NoSuchFileException ? "no such file or directory"
                : f instanceof AccessDeniedException ? "permission denied"
                : f.getClass().getSimpleName();
        return f.getFile() == null || f.getFile().equals(path.toString()) ? reason : f.getFile() + ": " + reason;
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getName();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /**
     * {@code instant} as ISO-8601 UTC text with nine fractional digits, {@code 2025-03-01T10:00:00.123456789Z}. Times
     * of the years 0 to 9999 are written here directly: the store writes several per task, and the formatter spent
     * an eighth of its writer's time on them.
     */
    static String instantText(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < FIRST_FAST_SECOND || seconds > LAST_FAST_SECOND) {
            return INSTANT_TEXT.format(instant);
        }
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, SECONDS_PER_DAY));
        int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        byte[] text = new byte[30];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, secondOfDay / 3600, 2);
        text[13] = ':';
        digits(text, 14, secondOfDay / 60 % 60, 2);
        text[16] = ':';
        digits(text, 17, secondOfDay % 60, 2);
        text[19] = '.';
        digits(text, 20, instant.getNano(), 9);
        text[29] = 'Z';
        return new String(text, StandardCharsets.US_ASCII);
    }

    /** Writes {@code value} as {@code width} decimal digits, zeros first, ending before {@code at + width}. */
    private static void digits(byte[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    static Instant instant(String text, Path location) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException | NullPointerException e) {
            throw new MpflowException("cannot read store " + location + ": bad time '" + text + "'", e);
        }
    }

    static Optional<Instant> optionalInstant(String text, Path location) {
        return text == null ? Optional.empty() : Optional.of(instant(text, location));
    }

    /** The status stored as {@link TaskStatus#wireName()}. */
    static TaskStatus taskStatus(String wireName, Path location) {
        for (TaskStatus status : TaskStatus.values()) {
            if (status.wireName().equals(wireName)) {
                return status;
            }
        }
        throw new MpflowException("cannot read store " + location + ": unknown task status '" + wireName + "'");
    }

    /** The agents' names as a JSON array of strings, which SQLite's {@code json_each} reads back. */
    static String agentsJson(List<String> agents) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < agents.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            appendJsonString(json, agents.get(i));
        }
        return json.append(']').toString();
    }

    private static void appendJsonString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        json.append('"');
    }
}
