package dev.mpflow.cli;

import dev.mpflow.cli.workflow.LineReader;
import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The task lines of a stream that may block for ever (standard input, a pipe), read on a thread of its own so
 * that the run can stop taking tasks while no line comes: the iterator gives up as soon as {@code stopped} says
 * so. Each line goes into the command's arguments, so a NUL byte is refused as {@link LineReader} says. At most a few thousand lines are read ahead, so input streams in while tasks run.
 */
final class StreamedLines implements Iterator<String> {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4096);
    private final BooleanSupplier stopped;
    private Object next;

    /** Starts reading {@code in}; {@code source} names it in messages, such as {@code stdin}. */
    StreamedLines(InputStream in, String source, BooleanSupplier stopped) {
        this.stopped = stopped;
        Thread reader = new Thread(() -> read(new LineReader(in, source, true)), "mpflow-inputs");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(LineReader reader) {
        try {
            try {
                String line;
                while ((line = reader.nextTaskLine()) != null) {
                    queue.put(line);
                }
                queue.put(END);
            } catch (RuntimeException e) {
                queue.put(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean hasNext() {
        try {
            while (next == null) {
                if (stopped.getAsBoolean()) {
                    return false;
                }
                next = queue.poll(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (next instanceof RuntimeException e) {
            throw e;
        }
        return next != END;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String line = (String) next;
        next = null;
        return line;
    }
}
