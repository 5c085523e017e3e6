package dev.mpflow.cli.workflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * One task per line of a UTF-8 text file, named after the line and with the line as input, read by the rules of
 * {@link LineReader}: blank lines are skipped, and a line that is not valid UTF-8 is an {@link InputLineException}
 * naming this file (not the workflow file) and the line; so is a line with a NUL byte when {@code forArguments}
 * (an agent gets the tasks' input in its arguments). The file is read as the tasks are iterated, one line at a
 * time, and closed when the last line has been read.
 */
record InputLines(Path file, int priority, Optional<Duration> timeout, RetryOverrides retry, boolean forArguments)
        implements TaskSource {

    @Override
    public Iterator<TaskSpec> iterator() {
        return new LineIterator();
    }

    /** The file as messages name it: relative to the working directory when it is under it. */
    String displayName() {
        Path here = Path.of("").toAbsolutePath();
        return file.startsWith(here) && !file.equals(here) ? here.relativize(file).toString() : file.toString();
    }

    private final class LineIterator implements Iterator<TaskSpec> {
        private LineReader reader;
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
            return new TaskSpec(line, line, priority, timeout, retry);
        }

        private String readTaskLine() {
            try {
                if (reader == null) {
                    reader = new LineReader(Files.newInputStream(file), displayName(), forArguments);
                }
                String line = reader.nextTaskLine();
                if (line == null) {
                    finish();
                }
                return line;
            } catch (IOException e) {
                finish();
                throw new UncheckedIOException("cannot read inputs file " + displayName() + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                finish();
                throw e;
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
