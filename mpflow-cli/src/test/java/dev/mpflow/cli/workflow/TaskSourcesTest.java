package dev.mpflow.cli.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks from inputs files and globs: their content, their order, and that they stream. */
class TaskSourcesTest {
    @TempDir
    Path dir;

    /** Loads {@code yaml}, with an agent added, as every workflow file needs one. */
    private WorkflowDefinition load(String yaml) throws IOException, WorkflowFileException {
        Path file = dir.resolve("wf.yaml");
        Files.writeString(file, "agents:\n  - name: a\n    command: cat\n" + yaml);
        return WorkflowFileLoader.load(file);
    }

    private static List<String> names(WorkflowDefinition definition) {
        List<String> names = new ArrayList<>();
        for (TaskSpec task : definition.tasks()) {
            assertThat(task.input()).isEqualTo(task.name());
            names.add(task.name());
        }
        return names;
    }

    private Path touch(String relative) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, relative);
    }

    /** A tree whose names sort differently one component at a time and as whole paths. */
    private Path tree() throws IOException {
        touch("root/a/z.txt");
        touch("root/a-c.txt");
        touch("root/a.b/x.log");
        touch("root/b.txt");
        touch("root/sub/deeper/d.txt");
        touch("root/sub/c.TXT");
        touch("root/.hidden");
        Files.createDirectories(dir.resolve("root/empty"));
        return dir.resolve("root");
    }

    private static List<String> regularFilesSorted(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> p.toAbsolutePath().normalize())
                    .sorted().map(Path::toString).toList();
        }
    }

    @Test
    void globReturnsExactlyTheRegularFilesSortedByPath() throws Exception {
        Path root = tree();
        WorkflowDefinition wf = load("tasks:\n  - glob: \"root/**\"\n");

        List<String> names = names(wf);

        assertThat(names).isEqualTo(regularFilesSorted(root)).containsExactly(
                root + "/.hidden",
                root + "/a-c.txt",
                root + "/a.b/x.log",
                root + "/a/z.txt",
                root + "/b.txt",
                root + "/sub/c.TXT",
                root + "/sub/deeper/d.txt");
        assertThat(wf.taskCount()).isEqualTo(7);
    }

    @Test
    void globMatchesOnlyWhatThePatternSays() throws Exception {
        Path root = tree();
        assertThat(names(load("tasks:\n  - glob: \"root/*.txt\"\n")))
                .containsExactly(root + "/a-c.txt", root + "/b.txt");
        assertThat(names(load("tasks:\n  - glob: \"root/**/*.txt\"\n")))
                .containsExactly(root + "/a-c.txt", root + "/a/z.txt", root + "/b.txt", root + "/sub/deeper/d.txt");
        assertThat(names(load("tasks:\n  - glob: \"root/s*/*\"\n"))).containsExactly(root + "/sub/c.TXT");
        assertThat(names(load("tasks:\n  - glob: \"root/b.txt\"\n"))).containsExactly(root + "/b.txt");
    }

    @Test
    void absoluteGlob() throws Exception {
        Path root = tree();
        assertThat(names(load("tasks:\n  - glob: \"" + root + "/sub/**\"\n")))
                .containsExactly(root + "/sub/c.TXT", root + "/sub/deeper/d.txt");
    }

    @Test
    void globDoesNotFollowLinkedDirectoriesButTakesLinkedFiles() throws Exception {
        Path root = tree();
        Files.createSymbolicLink(root.resolve("link-to-sub"), root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("link-to-b.txt"), root.resolve("b.txt"));
        assertThat(names(load("tasks:\n  - glob: \"root/l*/**\"\n"))).isEmpty();
        assertThat(names(load("tasks:\n  - glob: \"root/l*\"\n"))).containsExactly(root + "/link-to-b.txt");
    }

    @Test
    void globSettingsApplyToEachFile() throws Exception {
        Path root = tree();
        WorkflowDefinition wf = load("tasks:\n  - glob: \"root/*.txt\"\n    priority: 4\n    timeout: 2m\n");
        assertThat(wf.tasks()).containsExactly(
                new TaskSpec(root + "/a-c.txt", root + "/a-c.txt", 4, Optional.of(Duration.ofMinutes(2))),
                new TaskSpec(root + "/b.txt", root + "/b.txt", 4, Optional.of(Duration.ofMinutes(2))));
    }

    @Test
    void inputsFileWithThreeLinesGivesThreeTasks() throws Exception {
        Files.writeString(dir.resolve("names.txt"), "alice\nbob smith\ncarol\n");
        WorkflowDefinition wf = load("tasks:\n  - inputs: names.txt\n");

        assertThat(wf.tasks()).containsExactly(
                new TaskSpec("alice", "alice", 0, Optional.empty()),
                new TaskSpec("bob smith", "bob smith", 0, Optional.empty()),
                new TaskSpec("carol", "carol", 0, Optional.empty()));
        assertThat(wf.taskCount()).isEqualTo(3);
    }

    @Test
    void inputsFileSkipsBlankLinesAndKeepsDuplicates() throws Exception {
        Files.writeString(dir.resolve("names.txt"), "a\r\n\r\n   \nb\na\nlast without newline");
        WorkflowDefinition wf = load("tasks:\n  - inputs: names.txt\n    priority: 2\n");
        assertThat(names(wf)).containsExactly("a", "b", "a", "last without newline");
        assertThat(wf.tasks()).allSatisfy(t -> assertThat(t.priority()).isEqualTo(2));
    }

    @Test
    void anInputsLineThatIsNotUtf8NamesTheInputsFileAndLine() throws Exception {
        Path inputs = dir.resolve("latin1.txt");
        Files.write(inputs, new byte[] {'o', 'k', '\n', '\n', 'c', 'a', 'f', (byte) 0xe9, '\n', 'z', '\n'});
        WorkflowDefinition wf = load("tasks:\n  - inputs: latin1.txt\n");
        Iterator<TaskSpec> tasks = wf.tasks().iterator();
        assertThat(tasks.next().name()).isEqualTo("ok");
        InputLineException e = assertThrows(InputLineException.class, tasks::hasNext);
        assertThat(e.source()).isEqualTo(inputs.toString());
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.getMessage()).isEqualTo(inputs + ":3: not valid UTF-8");
        assertThat(assertThrows(InputLineException.class, wf::taskCount).getMessage())
                .isEqualTo(inputs + ":3: not valid UTF-8");
    }

    @Test
    void aFileNameIsShownWithItsBadBytesAndControlCharactersEscaped() {
        byte[] name = {'/', 'f', (byte) 0xff, '\n', (byte) 0xc3, (byte) 0xa9, (byte) 0xe9, 'x', (byte) 0xf0,
            (byte) 0x9f, (byte) 0x98, (byte) 0x80, (byte) 0xc3};
        assertThat(GlobFiles.escaped(name)).isEqualTo("/f\\xff\\x0a\u00e9\\xe9x\ud83d\ude00\\xc3");
    }

    @Test
    void aByteOrderMarkIsNoPartOfTheFirstInput() throws Exception {
        Files.write(dir.resolve("bom.txt"), new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, 'a', '\n', 'b'});
        assertThat(names(load("tasks:\n  - inputs: bom.txt\n"))).containsExactly("a", "b");
    }

    @Test
    void sourcesComeInTheOrderDeclared() throws Exception {
        tree();
        Files.writeString(dir.resolve("lines.txt"), "one\ntwo\n");
        WorkflowDefinition wf = load("""
                tasks:
                  - name: first
                  - inputs: lines.txt
                  - glob: root/*.txt
                  - name: last
                """);
        assertThat(wf.tasks()).extracting(TaskSpec::name).containsExactly("first", "one", "two",
                dir.resolve("root/a-c.txt").toString(), dir.resolve("root/b.txt").toString(), "last");
        assertThat(wf.taskCount()).isEqualTo(6);
    }

    @Test
    void aLargeInputsFileStreams() throws Exception {
        int lines = 200_000;
        Path inputs = dir.resolve("many.txt");
        try (BufferedWriter writer = Files.newBufferedWriter(inputs)) {
            for (int i = 0; i < lines; i++) {
                writer.write("item-" + i);
                writer.newLine();
            }
        }
        WorkflowDefinition wf = load("tasks:\n  - inputs: many.txt\n");

        assertThat(wf.taskCount()).isEqualTo(lines);
        for (int pass = 0; pass < 2; pass++) {
            long count = 0;
            String first = null;
            String last = null;
            for (TaskSpec task : wf.tasks()) {
                if (first == null) {
                    first = task.name();
                }
                last = task.name();
                count++;
            }
            assertThat(count).isEqualTo(lines);
            assertThat(first).isEqualTo("item-0");
            assertThat(last).isEqualTo("item-" + (lines - 1));
        }

        // Nothing was read at load time: lines added afterwards are seen by the next iteration.
        Files.writeString(inputs, "extra\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(wf.taskCount()).isEqualTo(lines + 1);
    }

    @Test
    void iteratorsAreIndependentAndLazy() throws Exception {
        Files.writeString(dir.resolve("names.txt"), "a\nb\nc\n");
        WorkflowDefinition wf = load("tasks:\n  - inputs: names.txt\n");
        Iterator<TaskSpec> one = wf.tasks().iterator();
        Iterator<TaskSpec> two = wf.tasks().iterator();
        assertThat(one.next().name()).isEqualTo("a");
        assertThat(one.next().name()).isEqualTo("b");
        assertThat(two.next().name()).isEqualTo("a");
        assertThat(one.next().name()).isEqualTo("c");
        assertThat(one.hasNext()).isFalse();
        assertThat(two.next().name()).isEqualTo("b");
    }
}
