import SQLite

/// A frozen plan: the exact threads a rule matched when it was saved, with the rule's digest.
public struct PlanRecord: Sendable, Hashable {
    public var id: Int64
    public var rule: String
    /// SHA-256 of the rule file when the plan was saved; a run of the plan refuses another.
    public var ruleDigest: String
    /// The rule file the plan was made from.
    public var ruleFile: String
    public var createdAt: Int64
    /// How many threads the plan holds.
    public var matched: Int
}

extension Ledger {
    /// Saves the threads matching `query` (oldest first, at most `limit`) as a plan; returns it.
    ///
    /// One `INSERT … SELECT` inside the database, so a plan of a million threads never passes
    /// through memory.
    public func savePlan(rule: String, ruleDigest: String, ruleFile: String, query: InventoryQuery, limit: Int? = nil)
        throws -> PlanRecord
    {
        try check(query)
        return try write { database in
            let time = now()
            try database.run(
                "INSERT INTO plans (rule, rule_digest, rule_file, created_at, matched) VALUES (?, ?, ?, ?, 0)",
                [.text(rule), .text(ruleDigest), .text(ruleFile), .integer(time)])
            let id = database.lastInsertRowID
            let read = query.indexed
            var arguments: [SQLiteValue] = [.integer(id)] + read.arguments
            var sql = """
                INSERT INTO plan_threads (plan_id, position, thread_id)
                SELECT ?, row_number() OVER (ORDER BY threads.created_at, threads.id), threads.id
                FROM \(read.source) WHERE \(read.condition) ORDER BY threads.created_at, threads.id
                """
            if let limit {
                sql += " LIMIT ?"
                arguments.append(.integer(Int64(limit)))
            }
            let matched = try database.run(sql, arguments)
            try database.run("UPDATE plans SET matched = ? WHERE id = ?", [.integer(Int64(matched)), .integer(id)])
            return PlanRecord(id: id, rule: rule, ruleDigest: ruleDigest, ruleFile: ruleFile, createdAt: time, matched: matched)
        }
    }

    /// The plan with `id`, or nil.
    public func plan(id: Int64) throws -> PlanRecord? {
        let rows = try rows("SELECT id, rule, rule_digest, rule_file, created_at, matched FROM plans WHERE id = ?", [.integer(id)])
        guard let row = rows.first else { return nil }
        return PlanRecord(
            id: row[0].integerValue ?? 0, rule: row[1].textValue ?? "", ruleDigest: row[2].textValue ?? "",
            ruleFile: row[3].textValue ?? "", createdAt: row[4].integerValue ?? 0, matched: Int(row[5].integerValue ?? 0))
    }

    /// The ids of a plan's threads, in plan order.
    public func planThreadIDs(planID: Int64) throws -> [String] {
        try rows("SELECT thread_id FROM plan_threads WHERE plan_id = ? ORDER BY position", [.integer(planID)])
            .compactMap { $0.first?.textValue }
    }
}
