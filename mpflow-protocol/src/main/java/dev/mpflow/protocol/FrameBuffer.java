package dev.mpflow.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * Frames encoded in memory, to be sent together with one write. Not thread-safe: its owner guards it.
 */
public final class FrameBuffer {
    private byte[] bytes = new byte[8 * 1024];
    private int size;

    /** Adds one frame. */
    public void append(FrameType type, long id, byte[] payload) {
        int length = Frame.HEADER_BYTES + payload.length;
        ensure(4 + length);
        putInt(length);
        bytes[size++] = type.code();
        putLong(id);
        System.arraycopy(payload, 0, bytes, size, payload.length);
        size += payload.length;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** How many bytes are waiting. */
    public int size() {
        return size;
    }

    /** Writes every frame to {@code channel}, blocking until all are written, and empties the buffer. */
    public void writeTo(WritableByteChannel channel) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, size);
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } finally {
            clear();
        }
    }

    /** Drops what is waiting, and memory a large frame made it take. */
    public void clear() {
        size = 0;
        if (bytes.length > 1 << 20) {
            bytes = new byte[8 * 1024];
        }
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > bytes.length) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("frames of " + needed + " bytes cannot be buffered");
            }
            bytes = Arrays.copyOf(bytes, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 16, 2L * bytes.length)));
        }
    }

    private void putInt(int v) {
        bytes[size++] = (byte) (v >>> 24);
        bytes[size++] = (byte) (v >>> 16);
        bytes[size++] = (byte) (v >>> 8);
        bytes[size++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }
}
