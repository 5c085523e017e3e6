package dev.mpflow.cli.workflow;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * One task per non-blank line of a UTF-8 text file, named after the line and with the line as input. The file is
 * read as the tasks are iterated, one line at a time, and closed when the last line has been read.
 */
record InputLines(Path file, int priority, Optional<Duration> timeout) implements TaskSource {

    @Override
    public Iterator<TaskSpec> iterator() {
        return new LineIterator();
    }

    private final class LineIterator implements Iterator<TaskSpec> {
        private BufferedReader reader;
        private boolean done;
        private String next;

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = readTaskLine();
            }
            return next != null;
        }

        @Override
        public TaskSpec next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String line = next;
            next = null;
            return new TaskSpec(line, line, priority, timeout);
        }

        private String readTaskLine() {
            try {
                if (reader == null) {
                    reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                }
                String line;
                do {
                    line = reader.readLine();
                } while (line != null && line.isBlank());
                if (line == null) {
                    finish();
                }
                return line;
            } catch (IOException e) {
                finish();
                throw new UncheckedIOException("cannot read inputs file " + file + ": " + e.getMessage(), e);
            }
        }

        private void finish() {
            done = true;
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException e) {
                    // Everything wanted has been read.
                }
                reader = null;
            }
        }
    }
}
