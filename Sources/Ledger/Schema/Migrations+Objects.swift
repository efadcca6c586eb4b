extension Migrations {
    static let version5 = Migration(
        version: 5, name: "each row of threads and actions knows its kind: thread or conversation",
        sql: """
            -- "The column may not have ... a CHECK constraint that fails for existing rows" (ALTER
            -- TABLE ADD COLUMN): every existing row becomes a thread, which is what it was.
            ALTER TABLE threads ADD COLUMN object TEXT NOT NULL DEFAULT 'thread'
                CHECK (object IN ('thread', 'conversation'));
            -- Every rule reads one kind: its plans walk this index as they walked threads_by_state.
            CREATE INDEX threads_by_object ON threads (object, state, created_at, id);
            -- NULL on actions written before this version (all of them on threads). The chain
            -- covers the column on rows that have it (docs/AUDIT.md), and the intent trigger
            -- keeps it as written.
            ALTER TABLE actions ADD COLUMN object TEXT CHECK (object IN ('thread', 'conversation'));
            DROP TRIGGER actions_intent_is_final;
            CREATE TRIGGER actions_intent_is_final BEFORE UPDATE ON actions
            WHEN new.id IS NOT old.id OR new.run_id IS NOT old.run_id OR new.thread_id IS NOT old.thread_id
                OR new.action IS NOT old.action OR new.reason IS NOT old.reason OR new.intent_at IS NOT old.intent_at
                OR new.prev_hash IS NOT old.prev_hash OR new.object IS NOT old.object
            BEGIN
                SELECT RAISE(ABORT, 'actions is append-only: only the outcome of an open row can be set');
            END;
            """)
}
