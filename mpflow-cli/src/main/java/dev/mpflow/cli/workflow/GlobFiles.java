package dev.mpflow.cli.workflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * Symbolic links to files count as files; links to directories are not followed. Subdirectories that cannot be
 * read are skipped.
 */
record GlobFiles(GlobPattern pattern, int priority, Optional<Duration> timeout, RetryOverrides retry)
        implements TaskSource {
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
                    throw new UncheckedIOException("cannot list directory " + base + ": " + e.getMessage(), e);
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
                    return entry.path();
                }
            }
            return null;
        }

        private void descend(Path directory) {
            try {
                branch.push(sortedEntries(directory));
            } catch (IOException e) {
                // Unreadable: skipped, as find(1) would after a warning.
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
