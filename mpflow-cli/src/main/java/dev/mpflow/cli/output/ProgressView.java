package dev.mpflow.cli.output;

import java.time.temporal.ChronoUnit;
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
    private boolean closed;

    /**
     * @param stderr where to draw
     * @param total  the expected number of results, or -1 when unknown (input streaming from stdin)
     * @param width  the terminal's width
     */
    public ProgressView(SharedStderr stderr, long total, int width) {
        this.bar = new ProgressBarBuilder()
                .setTaskName("mpflow")
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUnit(" tasks", 1)
                .setConsumer(new Consumer(stderr, width))
                .build();
    }

    public void step() {
        bar.step();
    }

    /** Draws the bar a last time and ends its line. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bar.close();
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

        @Override
        public void accept(String rendered) {
            stderr.drawBar(rendered);
        }

        @Override
        public void close() {
            stderr.endBar();
        }
    }
}
