package dev.mpflow.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    @Test
    void framesRoundTripInOrder() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (FrameWriter w = new FrameWriter(bytes)) {
            w.write(FrameType.HELLO, 0, new Hello(Hello.PROTOCOL_VERSION, 7, 4242).encode());
            w.append(FrameType.DEFINE, 5, new Define(new byte[] {7, 8}).encode());
            w.write(FrameType.EXECUTE, 99, new Execute(2, 1024, 1L << 33, 5, "tâsk", new byte[] {1, 2, 3}).encode());
            w.write(FrameType.SHUTDOWN, 0, new byte[0]);
        }
        FrameReader r = new FrameReader(new ByteArrayInputStream(bytes.toByteArray()));

        Frame hello = r.read();
        assertThat(hello.type()).isEqualTo(FrameType.HELLO);
        assertThat(Hello.decode(hello.payload())).isEqualTo(new Hello(Hello.PROTOCOL_VERSION, 7, 4242));

        Frame define = r.read();
        assertThat(define.type()).isEqualTo(FrameType.DEFINE);
        assertThat(define.id()).isEqualTo(5);
        assertThat(Define.decode(define.payload()).work()).containsExactly(7, 8);

        Frame exec = r.read();
        assertThat(exec.type()).isEqualTo(FrameType.EXECUTE);
        assertThat(exec.id()).isEqualTo(99);
        Execute e = Execute.decode(exec.payload());
        assertThat(e.attempt()).isEqualTo(2);
        assertThat(e.captureLimitBytes()).isEqualTo(1024);
        assertThat(e.maxResultBytes()).isEqualTo(1L << 33);
        assertThat(e.workId()).isEqualTo(5);
        assertThat(e.task()).isEqualTo("tâsk");
        assertThat(e.argument()).containsExactly(1, 2, 3);

        Frame shutdown = r.read();
        assertThat(shutdown.type()).isEqualTo(FrameType.SHUTDOWN);
        assertThat(shutdown.payload()).isEmpty();
        assertThat(r.read()).isNull();
    }

    @Test
    void appendedFramesWaitForTheFlush() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(bytes);
        w.append(FrameType.REVOKED, 3, new byte[0]);
        w.append(FrameType.FORGET, 4, new byte[0]);
        assertThat(bytes.size()).isZero();
        w.flush();
        assertThat(bytes.size()).isEqualTo(2 * (4 + Frame.HEADER_BYTES));
        FrameReader r = new FrameReader(new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(r.read()).extracting(Frame::type, Frame::id).containsExactly(FrameType.REVOKED, 3L);
        assertThat(r.hasBuffered()).isTrue();
        assertThat(r.read()).extracting(Frame::type, Frame::id).containsExactly(FrameType.FORGET, 4L);
        assertThat(r.hasBuffered()).isFalse();
        assertThat(r.read()).isNull();
    }

    @Test
    void aFrameBufferWritesTheSameBytesAsTheWriter() throws Exception {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 42);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (FrameWriter w = new FrameWriter(expected)) {
            w.append(FrameType.EXECUTE, 1, big);
            w.append(FrameType.REVOKE, Long.MAX_VALUE, new byte[0]);
        }
        FrameBuffer buffer = new FrameBuffer();
        buffer.append(FrameType.EXECUTE, 1, big);
        buffer.append(FrameType.REVOKE, Long.MAX_VALUE, new byte[0]);
        assertThat(buffer.size()).isEqualTo(expected.size());
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        buffer.writeTo(java.nio.channels.Channels.newChannel(actual));
        assertThat(actual.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(buffer.isEmpty()).isTrue();
    }

    @Test
    void successAndFailureKeepNonUtf8OutputAndUnicodeText() throws Exception {
        byte[] raw = {(byte) 0xff, (byte) 0xfe, 'a', 0};
        Success s = Success.decode(new Success(new byte[] {9}, new Captured(raw, 5), Captured.EMPTY).encode());
        assertThat(s.value()).containsExactly(9);
        assertThat(s.stdout().bytes()).containsExactly(raw);
        assertThat(s.stdout().droppedBytes()).isEqualTo(5);
        assertThat(s.stderr().bytes()).isEmpty();

        Failure f = Failure.decode(new Failure("x.Boom", "ünïcødé ✓ 日本", "at x", false, "agent-1",
                List.of("java.lang.RuntimeException", "java.lang.Exception"), 3, Captured.EMPTY, new Captured("err".getBytes(StandardCharsets.UTF_8), 0)).encode());
        assertThat(f.errorType()).isEqualTo("x.Boom");
        assertThat(f.message()).isEqualTo("ünïcødé ✓ 日本");
        assertThat(f.stackTrace()).isEqualTo("at x");
        assertThat(f.retryable()).isFalse();
        assertThat(f.agent()).isEqualTo("agent-1");
        assertThat(f.typeHierarchy()).containsExactly("java.lang.RuntimeException", "java.lang.Exception");
        assertThat(f.exitCode()).isEqualTo(3);
        assertThat(new String(f.stderr().bytes(), StandardCharsets.UTF_8)).isEqualTo("err");
    }

    @Test
    void truncatedFrameIsAnEofNotAHang() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (FrameWriter w = new FrameWriter(bytes)) {
            w.write(FrameType.EXECUTE, 1, new byte[100]);
        }
        byte[] cut = Arrays.copyOf(bytes.toByteArray(), 50);
        FrameReader r = new FrameReader(new ByteArrayInputStream(cut));
        assertThatThrownBy(r::read).isInstanceOf(EOFException.class);
    }

    @Test
    void garbageIsRejectedWithAProtocolError() {
        byte[] badType = {0, 0, 0, 9, 42, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(badType)).read())
                .isInstanceOf(ProtocolException.class).hasMessage("unknown frame type 42");
        byte[] badLength = {0, 0, 0, 3, 1, 2, 3};
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(badLength)).read())
                .isInstanceOf(ProtocolException.class).hasMessage("invalid frame length 3");
    }
}
