package dev.mpflow.cli.workflow;

import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * A glob split into the directory it starts from (its leading components free of glob characters) and the
 * pattern the files below that directory must match, in {@code java.nio} {@code glob:} syntax.
 *
 * @param base     the absolute directory the search starts from
 * @param relative the pattern for paths relative to {@code base}
 * @param maxDepth how deep below {@code base} a match can be; {@link Integer#MAX_VALUE} when it contains **
 */
record GlobPattern(Path base, String relative, int maxDepth) {
    private static final String GLOB_CHARACTERS = "*?[]{}\\";
    private static final String ANY_DIRECTORIES = "**/";
    /** Beyond this many {@code **}{@code /}s, the variants would be too many: they must match a directory. */
    private static final int MAX_OPTIONAL_DIRECTORIES = 6;

    /**
     * Splits {@code glob}, resolving a relative one against {@code directory}.
     *
     * @throws IllegalArgumentException when the glob is malformed or names no file pattern
     */
    static GlobPattern parse(String glob, Path directory) {
        String[] parts = glob.split("/", -1);
        int firstPattern = parts.length - 1;
        for (int i = 0; i < parts.length; i++) {
            if (hasGlobCharacter(parts[i])) {
                firstPattern = i;
                break;
            }
        }
        String relative = String.join("/", Arrays.asList(parts).subList(firstPattern, parts.length));
        if (relative.isEmpty()) {
            throw new IllegalArgumentException("must end with a file pattern, such as *.txt or **");
        }
        String basePart = String.join("/", Arrays.asList(parts).subList(0, firstPattern));
        if (basePart.isEmpty() && glob.startsWith("/")) {
            basePart = "/";
        }
        Path base;
        try {
            base = directory.resolve(basePart).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path: " + e.getMessage(), e);
        }
        GlobPattern pattern = new GlobPattern(base, relative,
                relative.contains("**") ? Integer.MAX_VALUE : relative.split("/", -1).length);
        pattern.matcher(); // reports a malformed pattern now rather than while iterating
        return pattern;
    }

    /**
     * Matches paths relative to {@link #base()}. As in most shells' globstar, a {@code **}{@code /} at the start of
     * a component also matches no directory at all, so {@code **}{@code /*.txt} matches {@code a.txt} too.
     */
    PathMatcher matcher() {
        List<PathMatcher> matchers = new ArrayList<>();
        try {
            List<String> variants = count(relative, ANY_DIRECTORIES) <= MAX_OPTIONAL_DIRECTORIES
                    ? variants(relative) : List.of(relative);
            for (String variant : variants) {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + variant));
            }
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid glob: " + e.getDescription(), e);
        }
        return path -> matchers.stream().anyMatch(m -> m.matches(path));
    }

    /** The pattern with every combination of its leading-component {@code **}{@code /}s kept or dropped. */
    private static List<String> variants(String pattern) {
        int at = -1;
        for (int i = pattern.indexOf(ANY_DIRECTORIES); i >= 0; i = pattern.indexOf(ANY_DIRECTORIES, i + 1)) {
            if (i == 0 || pattern.charAt(i - 1) == '/') {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return List.of(pattern);
        }
        String head = pattern.substring(0, at);
        List<String> variants = new ArrayList<>();
        for (String tail : variants(pattern.substring(at + ANY_DIRECTORIES.length()))) {
            variants.add(head + ANY_DIRECTORIES + tail);
            variants.add(head + tail);
        }
        return variants;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static boolean hasGlobCharacter(String part) {
        for (int i = 0; i < part.length(); i++) {
            if (GLOB_CHARACTERS.indexOf(part.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }
}
