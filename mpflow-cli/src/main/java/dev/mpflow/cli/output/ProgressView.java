package dev.mpflow.cli.output;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on standard error: done/total, rate and ETA. Only used when standard error is a terminal. */
public final class ProgressView implements AutoCloseable {
    private final ProgressBar bar;

    /** @param total the expected number of results, or -1 when unknown (input streaming from stdin) */
    public ProgressView(PrintStream err, long total) {
        this.bar = new ProgressBarBuilder()
                .setTaskName("mpflow")
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUnit(" tasks", 1)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .build();
    }

    public void step() {
        bar.step();
    }

    @Override
    public void close() {
        bar.close();
    }
}
