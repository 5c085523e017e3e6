package dev.mpflow.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationsTest {
    @Test
    void theIndexListsContiguousVersionsStartingWithTheInitialSchema() {
        List<Migrations.Migration> all = Migrations.all();
        assertThat(all).isNotEmpty();
        assertThat(all.get(0).name()).isEqualTo("V1__initial.sql");
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).version()).isEqualTo(i + 1);
            assertThat(all.get(i).script()).isNotBlank();
        }
        assertThat(Migrations.latestVersion()).isEqualTo(all.size());
    }

    @Test
    void splitsAScriptAtSemicolonsOutsideCommentsAndQuotes() {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE a (x TEXT DEFAULT 'one;two');
                /* a block; comment */
                CREATE TABLE "b;c" (y TEXT DEFAULT 'it''s');

                INSERT INTO a VALUES ('-- not a comment')
                """;
        assertThat(Migrations.statements(script)).containsExactly(
                "CREATE TABLE a (x TEXT DEFAULT 'one;two')",
                "CREATE TABLE \"b;c\" (y TEXT DEFAULT 'it''s')",
                "INSERT INTO a VALUES ('-- not a comment')");
    }

    @Test
    void theInitialSchemaSplitsIntoItsTablesAndIndexes() {
        List<String> statements = Migrations.statements(Migrations.all().get(0).script());
        assertThat(statements).hasSize(5);
        assertThat(statements).filteredOn(s -> s.startsWith("CREATE TABLE")).hasSize(3);
        assertThat(statements).filteredOn(s -> s.startsWith("CREATE INDEX")).hasSize(2);
    }

    @Test
    void theSecondMigrationAddsTheCancelledCountToRuns() {
        Migrations.Migration second = Migrations.all().get(1);
        assertThat(second.name()).isEqualTo("V2__cancelled.sql");
        assertThat(Migrations.statements(second.script()))
                .containsExactly("ALTER TABLE runs ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0");
    }

    @Test
    void theThirdMigrationKeysResultsAndAttemptsMakesResultsUniquePerTaskAndRebuildsRuns() {
        Migrations.Migration third = Migrations.all().get(2);
        assertThat(third.name()).isEqualTo("V3__resume.sql");
        List<String> statements = Migrations.statements(third.script());
        assertThat(statements).contains(
                "ALTER TABLE results ADD COLUMN task_key TEXT",
                "ALTER TABLE attempts ADD COLUMN task_key TEXT",
                "CREATE UNIQUE INDEX results_run_task_key ON results (run_id, task_key)",
                "ALTER TABLE runs_v3 RENAME TO runs");
        // Keys are filled in before the unique index is made, and duplicates removed in between.
        int fill = indexOfStartingWith(statements, "UPDATE results SET task_key = mpflow_task_key");
        int dedupe = indexOfStartingWith(statements, "DELETE FROM results");
        int unique = indexOfStartingWith(statements, "CREATE UNIQUE INDEX");
        assertThat(fill).isNotNegative().isLessThan(dedupe);
        assertThat(dedupe).isLessThan(unique);
        assertThat(Migrations.TASK_KEY_FUNCTION).isEqualTo("mpflow_task_key");
    }

    private static int indexOfStartingWith(List<String> statements, String prefix) {
        for (int i = 0; i < statements.size(); i++) {
            if (statements.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
