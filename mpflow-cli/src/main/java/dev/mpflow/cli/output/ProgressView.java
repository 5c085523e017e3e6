package dev.mpflow.cli.output;

import java.time.temporal.ChronoUnit;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error: done/total, rate and ETA. Used whenever standard error is a terminal; drawn
 * through a {@link SharedStderr}, so that warnings, and results on the same terminal, never land on the bar's line.
 */
public final class ProgressView implements AutoCloseable {
    private final ProgressBar bar;
    private final SharedStderr stderr;
    private final Consumer consumer;
    private boolean closed;

    /**
     * @param stderr where to draw
     * @param total  the expected number of results, or -1 when unknown (input streaming from stdin)
     * @param width  the terminal's width
     */
    public ProgressView(SharedStderr stderr, long total, int width) {
        this.stderr = stderr;
        this.consumer = new Consumer(stderr, width);
        this.bar = new ProgressBarBuilder()
                .setTaskName("mpflow")
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUnit(" tasks", 1)
                .setConsumer(consumer)
                .build();
    }

    public void step() {
        bar.step();
    }

    /** The number of results is known now (the input has ended): the bar shows it from its next drawing on. */
    public void total(long total) {
        bar.maxHint(total);
    }

    /**
     * Draws the bar a last time, once, and ends its line. Idempotent. The bar's own closing renders its last state
     * more than once (and not at all when it had not drawn yet): those renderings are only kept, and the last is
     * drawn here.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            consumer.closing();
            bar.close();
            consumer.last().ifPresent(stderr::drawBar);
            stderr.endBar();
        }
    }

    private static final class Consumer implements ProgressBarConsumer {
        private final SharedStderr stderr;
        private final int width;

        Consumer(SharedStderr stderr, int width) {
            this.stderr = stderr;
            this.width = width;
        }

        @Override
        public int getMaxRenderedLength() {
            return width - 1;
        }

        private boolean closing;
        private String last;

        synchronized void closing() {
            closing = true;
        }

        synchronized Optional<String> last() {
            return Optional.ofNullable(last);
        }

        @Override
        public synchronized void accept(String rendered) {
            last = rendered;
            if (!closing) {
                stderr.drawBar(rendered);
            }
        }

        @Override
        public void close() {
            // The view ends the bar's line itself, after its one last drawing.
        }
    }
}
