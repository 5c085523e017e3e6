package dev.mpflow.cli.workflow;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * One task per regular file matching a glob, named after the file's absolute path and with that path as input.
 *
 * <p>The files come sorted by path. The walk goes depth first, listing each directory sorted so that the order is
 * that of the whole paths: a directory {@code a} sorts as {@code a/}, so {@code a-c} comes before
 * {@code a/b}. Only the directories on the current branch are held in memory, so a glob over a huge tree streams.
 * Symbolic links to files count as files; links to directories are not followed. A directory the walk cannot
 * read is an {@link InputLineException} naming the workflow file's line, the directory and the reason: skipping
 * it would silently leave out its files.
 *
 * <p>A file whose path cannot be written as a Java string (bytes that are not valid in the encoding of file names,
 * UTF-8 as a rule) is an {@link InputLineException} naming the workflow file's line and the file, its bad bytes
 * shown as {@code \xff}: the string the JVM makes of such a name has {@code U+FFFD} in their place, and would
 * name another file, or none, to the command it is given to.
 *
 * @param file  the workflow file as given, for messages
 * @param line  the line of the {@code glob} field
 * @param field the field's path, such as {@code tasks[0].glob}
 */
record GlobFiles(GlobPattern pattern, int priority, Optional<Duration> timeout, RetryOverrides retry, String file,
        int line, String field) implements TaskSource {
    /** Orders sort keys by code point, as whole paths in UTF-8 compare byte by byte. */
    private static final Comparator<Entry> BY_KEY = (a, b) -> compareCodePoints(a.key(), b.key());

    @Override
    public Iterator<TaskSpec> iterator() {
        return new Walk(pattern.base(), pattern.matcher(), pattern.maxDepth());
    }

    /** A directory entry with what the walk needs to know about it. */
    private record Entry(Path path, String key, boolean directory, boolean file) {
    }

    private final class Walk implements Iterator<TaskSpec> {
        private final Path base;
        private final PathMatcher matcher;
        private final int maxDepth;
        /** The unvisited entries of each directory on the current branch, the deepest first. */
        private final Deque<Iterator<Entry>> branch = new ArrayDeque<>();
        private boolean started;
        private Path next;

        Walk(Path base, PathMatcher matcher, int maxDepth) {
            this.base = base;
            this.matcher = matcher;
            this.maxDepth = maxDepth;
        }

        @Override
        public boolean hasNext() {
            if (!started) {
                started = true;
                try {
                    branch.push(sortedEntries(base));
                } catch (IOException e) {
                    throw unreadable(base, e);
                }
            }
            if (next == null) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public TaskSpec next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String path = next.toString();
            next = null;
            return new TaskSpec(path, path, priority, timeout, retry);
        }

        private Path advance() {
            while (!branch.isEmpty()) {
                Iterator<Entry> entries = branch.peek();
                if (!entries.hasNext()) {
                    branch.pop();
                    continue;
                }
                int depth = branch.size();
                Entry entry = entries.next();
                if (entry.directory()) {
                    if (depth < maxDepth) {
                        descend(entry.path());
                    }
                } else if (entry.file() && matcher.matches(base.relativize(entry.path()))) {
                    if (!leadsBack(entry.path())) {
                        throw unrepresentable(entry.path());
                    }
                    return entry.path();
                }
            }
            return null;
        }

        private void descend(Path directory) {
            try {
                branch.push(sortedEntries(directory));
            } catch (IOException e) {
                throw unreadable(directory, e);
            }
        }
    }

    /**
     * Whether the path's string names the very same file: made into a path again, it has the same bytes. (Paths of
     * the default file system compare by their bytes, so this needs no call to the system; and a name that merely
     * exists, such as a real {@code f\uFFFD.txt} beside {@code f\xff.txt}, would be the wrong file.)
     */
    private static boolean leadsBack(Path path) {
        try {
            return path.getFileSystem().getPath(path.toString()).equals(path);
        } catch (InvalidPathException e) {
            return false; // not even encodable again
        }
    }

    private InputLineException unreadable(Path directory, IOException e) {
        String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.NoSuchFileException ? "it is gone"
                : e.getMessage() != null ? e.getMessage() : e.toString();
        return new InputLineException(file, line, field + ": cannot read directory " + directory + ": " + reason, e);
    }

    private InputLineException unrepresentable(Path path) {
        byte[] raw = rawBytes(path);
        Charset encoding = fileNameEncoding();
        CharacterCodingException cause;
        try {
            encoding.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
            cause = new CharacterCodingException();
        } catch (CharacterCodingException e) {
            cause = e;
        }
        String why = encoding.equals(StandardCharsets.UTF_8) ? "not valid UTF-8"
                : "not valid in this system's encoding of file names (" + encoding.name() + ")";
        return new InputLineException(file, line, field + ": " + escaped(raw) + ": the file name is " + why
                + ", so it would reach the command altered; rename the file", cause);
    }

    /** The encoding the JVM reads file names in: the platform's, not {@code file.encoding}. */
    private static Charset fileNameEncoding() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }

    /**
     * The path's bytes as the file system has them. Its string has lost them; its URI has not: the default file
     * system writes every byte that is not plain ASCII as a {@code %XX} escape.
     */
    private static byte[] rawBytes(Path path) {
        String uri = path.toUri().getRawPath();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(uri.length());
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%' && i + 2 < uri.length()) {
                bytes.write(Integer.parseInt(uri.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        byte[] b = bytes.toByteArray();
        // A directory's URI ends with a slash that is no part of its name.
        return b.length > 1 && b[b.length - 1] == '/' ? Arrays.copyOf(b, b.length - 1) : b;
    }

    /** The bytes as UTF-8 text, each byte that is not part of valid UTF-8 (or is a control character) as \xHH. */
    static String escaped(byte[] raw) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length);
        StringBuilder text = new StringBuilder();
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            out.flip();
            out.chars().forEach(c -> text.append(Character.isISOControl(c)
                    ? String.format("\\x%02x", c) : String.valueOf((char) c)));
            out.clear();
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    text.append(String.format("\\x%02x", in.get() & 0xff));
                }
            } else if (result.isUnderflow()) {
                return text.toString();
            }
        }
    }

    private static Iterator<Entry> sortedEntries(Path directory) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path path : stream) {
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue; // gone since it was listed
                }
                boolean directoryEntry = attributes.isDirectory();
                boolean file = attributes.isRegularFile() || attributes.isSymbolicLink() && Files.isRegularFile(path);
                String name = path.getFileName().toString();
                entries.add(new Entry(path, directoryEntry ? name + "/" : name, directoryEntry, file));
            }
        }
        entries.sort(BY_KEY);
        return entries.iterator();
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
