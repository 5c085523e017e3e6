package dev.mpflow.bench.jmh;

import dev.mpflow.internal.ValueCodec;
import dev.mpflow.protocol.Captured;
import dev.mpflow.protocol.Execute;
import dev.mpflow.protocol.Frame;
import dev.mpflow.protocol.FrameBuffer;
import dev.mpflow.protocol.FrameReader;
import dev.mpflow.protocol.FrameType;
import dev.mpflow.protocol.Success;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire's hot path, per attempt: an {@code EXECUTE} encoded into the coordinator's frame buffer, a
 * {@code SUCCESS} with a small value encoded by the worker, and both read back.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameBenchmark {
    private static final int FRAMES = 1000;
    private final FrameBuffer buffer = new FrameBuffer();
    private final ByteArrayOutputStream sink = new ByteArrayOutputStream(1 << 20);
    private byte[] executes;
    private byte[] successes;

    @Setup
    public void setUp() throws IOException {
        FrameBuffer b = new FrameBuffer();
        FrameBuffer s = new FrameBuffer();
        for (int i = 0; i < FRAMES; i++) {
            b.append(FrameType.EXECUTE, i, execute(i).encode());
            s.append(FrameType.SUCCESS, i, success(i).encode());
        }
        executes = bytes(b);
        successes = bytes(s);
    }

    private static Execute execute(int i) {
        return new Execute(1, 1 << 20, 64L << 20, 7, "square-" + i, Integer.toString(i).getBytes());
    }

    private static Success success(long i) throws IOException {
        return new Success(ValueCodec.encode(i * i, Long.MAX_VALUE), Captured.EMPTY, Captured.EMPTY);
    }

    private static byte[] bytes(FrameBuffer b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.writeTo(Channels.newChannel(out));
        return out.toByteArray();
    }

    /** What the coordinator does to send one attempt: encode it and add it to the worker's buffer. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int encodeExecutes() throws IOException {
        for (int i = 0; i < FRAMES; i++) {
            buffer.append(FrameType.EXECUTE, i, execute(i).encode());
        }
        int size = buffer.size();
        sink.reset();
        buffer.writeTo(Channels.newChannel(sink));
        return size;
    }

    /** What the worker does to read one attempt. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long decodeExecutes() throws IOException {
        FrameReader r = new FrameReader(new ByteArrayInputStream(executes));
        long sum = 0;
        Frame f;
        while ((f = r.read()) != null) {
            sum += Execute.decode(f.payload()).argument().length;
        }
        return sum;
    }

    /** What the worker does to answer one attempt with a small value. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int encodeSuccesses() throws IOException {
        int n = 0;
        for (int i = 0; i < FRAMES; i++) {
            n += success(i).encode().length;
        }
        return n;
    }

    /** What the coordinator does to read one answer and its value. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long decodeSuccesses() throws Exception {
        FrameReader r = new FrameReader(new ByteArrayInputStream(successes));
        long sum = 0;
        Frame f;
        while ((f = r.read()) != null) {
            sum += (Long) ValueCodec.decode(Success.decode(f.payload()).value());
        }
        return sum;
    }
}
