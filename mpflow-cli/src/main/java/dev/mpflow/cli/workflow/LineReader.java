package dev.mpflow.cli.workflow;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Reads task lines from a stream of UTF-8 text, the one rule for every source of inputs (standard input, an inputs
 * file given on the command line, an {@code inputs} file of a workflow): lines end at {@code \n} (a {@code \r}
 * before it is dropped); lines that are empty or hold only white space are skipped, as xargs skips them; any
 * other line is a task, kept exactly as written. A line that is not valid UTF-8 stops the reading with an
 * {@link InputLineException} naming the source and the line number, rather than turning into a task with
 * replacement characters. A reader of inputs that go into a program's arguments ({@code {}} in a command) also
 * refuses a line that holds a NUL byte, as no argument can hold one; inputs given on a program's standard input
 * may.
 *
 * <p>Each line is decoded on its own once its end has been read, so the line number is always the right one.
 */
public final class LineReader implements Closeable {
    /** Why a line with a NUL byte cannot be a task whose input goes into a program's arguments. */
    public static final String NUL_IN_ARGUMENT = "holds a NUL byte, which no program argument can hold";

    private final InputStream in;
    private final String source;
    private final boolean forArguments;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final byte[] buffer = new byte[65536];
    private int position;
    private int limit;
    private long lineNumber;
    private boolean ended;

    /**
     * @param in     the stream, read from its current position; closed by {@link #close()}
     * @param source how messages name the stream, such as {@code stdin} or a file's path
     */
    public LineReader(InputStream in, String source) {
        this(in, source, false);
    }

    /**
     * @param in           the stream, read from its current position; closed by {@link #close()}
     * @param source       how messages name the stream, such as {@code stdin} or a file's path
     * @param forArguments whether each line goes into a program's arguments, so that a NUL byte is refused
     */
    public LineReader(InputStream in, String source, boolean forArguments) {
        this.in = Objects.requireNonNull(in, "in");
        this.source = Objects.requireNonNull(source, "source");
        this.forArguments = forArguments;
    }

    /**
     * The next task line, or null at the end of the stream.
     *
     * @throws InputLineException when the line is not valid UTF-8, or holds a NUL byte where that is refused
     * @throws UncheckedIOException when the stream cannot be read
     */
    public String nextTaskLine() {
        String text;
        do {
            text = nextLine();
        } while (text != null && text.isBlank());
        return text;
    }

    /** The number of the line read last, counting from 1; 0 before the first. */
    public long lineNumber() {
        return lineNumber;
    }

    /** How messages name the stream. */
    public String source() {
        return source;
    }

    private String nextLine() {
        if (ended) {
            return null;
        }
        line.reset();
        boolean any = false;
        try {
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit < 0) {
                        limit = 0;
                        ended = true;
                        if (!any) {
                            return null;
                        }
                        break;
                    }
                }
                any = true;
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                line.write(buffer, start, position - start);
                if (position < limit) {
                    position++; // the '\n'
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
        }
        lineNumber++;
        return decode();
    }

    private String decode() {
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        String text;
        try {
            text = decoder.reset().decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new InputLineException(source, lineNumber, "not valid UTF-8", e);
        }
        if (forArguments && text.indexOf('\0') >= 0) {
            throw new InputLineException(source, lineNumber, NUL_IN_ARGUMENT, new IOException(NUL_IN_ARGUMENT));
        }
        if (lineNumber == 1 && text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte order mark is no part of the first input
        }
        return text;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
