package dev.mpflow.protocol;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes frames to a stream. Thread-safe: each frame is appended whole under a lock, so threads replying to
 * different attempts never interleave their bytes. {@link #append} leaves frames in a buffer so that many go out in
 * one system call; {@link #flush} or {@link #write} sends them.
 */
public final class FrameWriter implements AutoCloseable {
    private final DataOutputStream out;
    private boolean unflushed;

    public FrameWriter(OutputStream out) {
        this.out = new DataOutputStream(new BufferedOutputStream(out, 64 * 1024));
    }

    /** Writes one frame and flushes it, with any frames appended before it. */
    public void write(FrameType type, long id, byte[] payload) throws IOException {
        synchronized (out) {
            append(type, id, payload);
            flush();
        }
    }

    public void write(Frame frame) throws IOException {
        write(frame.type(), frame.id(), frame.payload());
    }

    /** Adds one frame to the buffer; it is sent at the next flush, or earlier when the buffer fills. */
    public void append(FrameType type, long id, byte[] payload) throws IOException {
        synchronized (out) {
            out.writeInt(Frame.HEADER_BYTES + payload.length);
            out.writeByte(type.code());
            out.writeLong(id);
            out.write(payload);
            unflushed = true;
        }
    }

    /** Sends every frame appended so far. */
    public void flush() throws IOException {
        synchronized (out) {
            if (unflushed) {
                unflushed = false;
                out.flush();
            }
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (out) {
            out.close();
        }
    }
}
