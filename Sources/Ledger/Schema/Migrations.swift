import SQLite

/// One forward step of the ledger's schema.
public struct Migration: Sendable {
    /// The `PRAGMA user_version` the ledger has after this step.
    public var version: Int
    public var name: String
    public var sql: String
    /// Work SQL alone cannot do (hashing), run after `sql` in the same transaction.
    public var apply: (@Sendable (SQLiteDatabase) throws -> Void)? = nil
}

/// The ledger's schema history, oldest first; the tables and columns are a public contract.
///
/// Each migration runs in its own `BEGIN IMMEDIATE` transaction that also sets
/// `PRAGMA user_version`, so a ledger is always at exactly one version. A released
/// migration is never edited: a change is a new one appended here.
public enum Migrations {
    public static let all: [Migration] = [version1, version2, version3, version4, version5]

    /// The schema version this build writes.
    public static var latest: Int { all.last?.version ?? 0 }

    /// Applies every migration newer than the file's version; returns the versions applied.
    @discardableResult
    static func migrate(_ database: SQLiteDatabase) throws -> [Int] {
        var applied: [Int] = []
        for migration in all {
            let done = try database.transaction {
                // Read inside the write lock: another process may have migrated meanwhile.
                let current = try userVersion(database)
                guard current < migration.version else { return false }
                try database.execute(migration.sql)
                try migration.apply?(database)
                try database.execute("PRAGMA user_version = \(migration.version)")
                return true
            }
            if done { applied.append(migration.version) }
        }
        return applied
    }

    static func userVersion(_ database: SQLiteDatabase) throws -> Int {
        Int(try database.scalar("PRAGMA user_version")?.integerValue ?? 0)
    }

    static let version1 = Migration(
        version: 1, name: "inventory, runs and the append-only action log",
        sql: """
            -- WITHOUT ROWID: the table is its id B-tree, so a lookup by id (every metadata
            -- filter does one per matching thread) is one descent instead of two.
            CREATE TABLE threads (
                id            TEXT PRIMARY KEY NOT NULL,
                created_at    INTEGER NOT NULL,
                metadata      TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object'),
                state         TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'deleted', 'gone')),
                source        TEXT NOT NULL CHECK (source IN ('import', 'create', 'sync')),
                first_seen    INTEGER NOT NULL,
                last_synced   INTEGER,
                last_activity INTEGER
            ) WITHOUT ROWID;
            CREATE INDEX threads_by_state ON threads (state, created_at, id);
            CREATE INDEX threads_by_activity ON threads (last_activity) WHERE last_activity IS NOT NULL;

            -- One row per metadata key, so rules filter through an index instead of parsing JSON.
            -- The triggers below keep it equal to threads.metadata, whoever writes threads.
            CREATE TABLE thread_metadata (
                thread_id TEXT NOT NULL,
                key       TEXT NOT NULL,
                value     TEXT NOT NULL,
                PRIMARY KEY (thread_id, key)
            ) WITHOUT ROWID;
            CREATE INDEX thread_metadata_by_value ON thread_metadata (key, value);

            CREATE TRIGGER threads_metadata_insert AFTER INSERT ON threads BEGIN
                INSERT INTO thread_metadata (thread_id, key, value)
                    SELECT new.id, j.key, j.value FROM json_each(new.metadata) AS j;
            END;
            CREATE TRIGGER threads_metadata_update AFTER UPDATE OF id, metadata ON threads BEGIN
                DELETE FROM thread_metadata WHERE thread_id = old.id;
                INSERT INTO thread_metadata (thread_id, key, value)
                    SELECT new.id, j.key, j.value FROM json_each(new.metadata) AS j;
            END;
            CREATE TRIGGER threads_metadata_delete AFTER DELETE ON threads BEGIN
                DELETE FROM thread_metadata WHERE thread_id = old.id;
            END;

            CREATE TABLE runs (
                id          INTEGER PRIMARY KEY,
                rule        TEXT NOT NULL,
                rule_digest TEXT NOT NULL,
                rule_text   TEXT NOT NULL,
                trigger     TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'resume')),
                dry_run     INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1)),
                started_at  INTEGER NOT NULL,
                finished_at INTEGER,
                status      TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'completed', 'failed', 'aborted', 'refused', 'interrupted')),
                matched     INTEGER NOT NULL DEFAULT 0,
                done        INTEGER NOT NULL DEFAULT 0,
                gone        INTEGER NOT NULL DEFAULT 0,
                skipped     INTEGER NOT NULL DEFAULT 0,
                failed      INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX runs_by_rule ON runs (rule, started_at);
            CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs BEGIN
                SELECT RAISE(ABORT, 'runs is append-only: a run cannot be deleted');
            END;

            -- The action log: the intent is written before the API call, the outcome after.
            -- prev_hash is the hash the previous row had when this one was written (its intent
            -- digest); hash covers this row's intent and, once settled, its outcome.
            CREATE TABLE actions (
                id          INTEGER PRIMARY KEY,
                run_id      INTEGER NOT NULL REFERENCES runs (id),
                thread_id   TEXT NOT NULL,
                action      TEXT NOT NULL,
                reason      TEXT NOT NULL,
                intent_at   INTEGER NOT NULL,
                outcome     TEXT CHECK (outcome IN ('ok', 'gone', 'skipped', 'failed')),
                http_status INTEGER,
                request_id  TEXT,
                attempts    INTEGER NOT NULL DEFAULT 0,
                error       TEXT,
                settled_at  INTEGER,
                prev_hash   TEXT NOT NULL,
                hash        TEXT NOT NULL
            );
            CREATE INDEX actions_by_run ON actions (run_id);
            CREATE INDEX actions_by_thread ON actions (thread_id);
            CREATE INDEX actions_by_time ON actions (intent_at);
            CREATE INDEX actions_open ON actions (run_id) WHERE outcome IS NULL;

            CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions BEGIN
                SELECT RAISE(ABORT, 'actions is append-only: a row cannot be deleted');
            END;
            CREATE TRIGGER actions_settled_is_final BEFORE UPDATE ON actions WHEN old.outcome IS NOT NULL BEGIN
                SELECT RAISE(ABORT, 'actions is append-only: a settled row cannot be changed');
            END;
            CREATE TRIGGER actions_intent_is_final BEFORE UPDATE ON actions
            WHEN new.id IS NOT old.id OR new.run_id IS NOT old.run_id OR new.thread_id IS NOT old.thread_id
                OR new.action IS NOT old.action OR new.reason IS NOT old.reason OR new.intent_at IS NOT old.intent_at
                OR new.prev_hash IS NOT old.prev_hash
            BEGIN
                SELECT RAISE(ABORT, 'actions is append-only: only the outcome of an open row can be set');
            END;
            """)

    static let version2 = Migration(
        version: 2, name: "rule locks and frozen plans",
        sql: """
            -- At most one run of a rule at a time, across processes: the row names its holder.
            CREATE TABLE rule_locks (
                rule       TEXT PRIMARY KEY NOT NULL,
                pid        INTEGER NOT NULL,
                host       TEXT NOT NULL,
                -- The holder's start time as the kernel counts it (/proc/PID/stat field 22), so a
                -- recycled pid is not mistaken for the holder.
                process_start TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                run_id     INTEGER
            );

            -- A plan saved with `plan --save`: the exact threads a later `run --plan` may act on.
            CREATE TABLE plans (
                id          INTEGER PRIMARY KEY,
                rule        TEXT NOT NULL,
                rule_digest TEXT NOT NULL,
                rule_file   TEXT NOT NULL,
                created_at  INTEGER NOT NULL,
                matched     INTEGER NOT NULL
            );
            CREATE TABLE plan_threads (
                plan_id   INTEGER NOT NULL REFERENCES plans (id),
                position  INTEGER NOT NULL,
                thread_id TEXT NOT NULL,
                PRIMARY KEY (plan_id, position)
            ) WITHOUT ROWID;
            CREATE INDEX plan_threads_by_thread ON plan_threads (plan_id, thread_id);
            """)

    static let version4 = Migration(
        version: 4, name: "threads.created_at may be NULL: a thread imported without a date has an unknown age",
        sql: """
            -- SQLite cannot drop a NOT NULL constraint: the table is rebuilt with the same name,
            -- columns, indexes and triggers (the recipe of "Making Other Kinds Of Table Schema
            -- Changes" in the ALTER TABLE documentation). An age condition (created_at < ?) is
            -- never true for NULL, so a thread of unknown age matches no age rule.
            CREATE TABLE threads_v4 (
                id            TEXT PRIMARY KEY NOT NULL,
                created_at    INTEGER,
                metadata      TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object'),
                state         TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'deleted', 'gone')),
                source        TEXT NOT NULL CHECK (source IN ('import', 'create', 'sync')),
                first_seen    INTEGER NOT NULL,
                last_synced   INTEGER,
                last_activity INTEGER
            ) WITHOUT ROWID;
            INSERT INTO threads_v4 (id, created_at, metadata, state, source, first_seen, last_synced, last_activity)
                SELECT id, created_at, metadata, state, source, first_seen, last_synced, last_activity FROM threads;
            -- "The implicit DELETE FROM [of DROP TABLE] does not invoke any triggers": thread_metadata stays.
            DROP TABLE threads;
            ALTER TABLE threads_v4 RENAME TO threads;
            CREATE INDEX threads_by_state ON threads (state, created_at, id);
            CREATE INDEX threads_by_activity ON threads (last_activity) WHERE last_activity IS NOT NULL;
            CREATE TRIGGER threads_metadata_insert AFTER INSERT ON threads BEGIN
                INSERT INTO thread_metadata (thread_id, key, value)
                    SELECT new.id, j.key, j.value FROM json_each(new.metadata) AS j;
            END;
            CREATE TRIGGER threads_metadata_update AFTER UPDATE OF id, metadata ON threads BEGIN
                DELETE FROM thread_metadata WHERE thread_id = old.id;
                INSERT INTO thread_metadata (thread_id, key, value)
                    SELECT new.id, j.key, j.value FROM json_each(new.metadata) AS j;
            END;
            CREATE TRIGGER threads_metadata_delete AFTER DELETE ON threads BEGIN
                DELETE FROM thread_metadata WHERE thread_id = old.id;
            END;
            """)
}
