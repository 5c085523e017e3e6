package dev.mpflow.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Encoding helpers shared by the messages: length-prefixed byte arrays and UTF-8 strings. */
final class Payload {
    private Payload() {
    }

    /** Builds a payload; wraps the impossible IOExceptions of an in-memory stream. */
    static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        private final DataOutputStream out = new DataOutputStream(bytes);

        Writer i32(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer i64(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer bool(boolean v) {
            try {
                out.writeBoolean(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer bytes(byte[] v) {
            try {
                out.writeInt(v.length);
                out.write(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer string(String v) {
            return bytes(v.getBytes(StandardCharsets.UTF_8));
        }

        Writer strings(java.util.List<String> v) {
            i32(v.size());
            v.forEach(this::string);
            return this;
        }

        Writer captured(Captured c) {
            return bytes(c.bytes()).i64(c.droppedBytes());
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    /** Reads a payload written by {@link Writer}; a short or malformed payload is a {@link ProtocolException}. */
    static final class Reader {
        private final DataInputStream in;
        private final int size;

        Reader(byte[] payload) {
            this.in = new DataInputStream(new ByteArrayInputStream(payload));
            this.size = payload.length;
        }

        int i32() throws IOException {
            return in.readInt();
        }

        long i64() throws IOException {
            return in.readLong();
        }

        boolean bool() throws IOException {
            return in.readBoolean();
        }

        byte[] bytes() throws IOException {
            int n = in.readInt();
            if (n < 0 || n > size) {
                throw new ProtocolException("invalid field length " + n + " in a payload of " + size + " bytes");
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        String string() throws IOException {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        java.util.List<String> strings() throws IOException {
            int n = in.readInt();
            if (n < 0 || n > size) {
                throw new ProtocolException("invalid list length " + n + " in a payload of " + size + " bytes");
            }
            java.util.List<String> list = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(string());
            }
            return java.util.List.copyOf(list);
        }

        Captured captured() throws IOException {
            return new Captured(bytes(), i64());
        }
    }
}
