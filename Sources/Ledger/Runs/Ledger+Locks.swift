import SQLite

/// Who holds a rule's lock: enough to tell an operator, and to tell whether it is still alive.
public struct RuleLockHolder: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    /// The holder's start time as the kernel counts it, so a recycled pid is not taken for it.
    public var processStart: String
    /// When the lock was taken (Unix seconds).
    public var startedAt: Int64
    /// The run it belongs to, once begun.
    public var runID: Int64?

    public init(pid: Int32, host: String, processStart: String, startedAt: Int64 = 0, runID: Int64? = nil) {
        self.pid = pid
        self.host = host
        self.processStart = processStart
        self.startedAt = startedAt
        self.runID = runID
    }

    public var description: String {
        "pid \(pid) on \(host)" + (runID.map { ", run \($0)" } ?? "")
    }
}

/// What happened when a rule's lock was asked for.
public enum RuleLockAcquisition: Sendable, Hashable {
    /// Nobody held it; it is ours.
    case acquired
    /// A holder that no longer runs left it; it is ours now.
    case tookOver(from: RuleLockHolder)
    /// A live process holds it; nothing was changed.
    case held(by: RuleLockHolder)
}

extension Ledger {
    /// Takes the lock of `rule` for `holder`, unless a live process holds it.
    ///
    /// The check and the write happen in one `BEGIN IMMEDIATE` transaction, so two processes
    /// asking at once cannot both win. `isAlive` decides whether a recorded holder still runs
    /// (the caller knows how to ask the operating system).
    public func acquireRuleLock(
        rule: String, holder: RuleLockHolder, isAlive: (RuleLockHolder) -> Bool
    ) throws -> RuleLockAcquisition {
        try write { database in
            let rows = try database.rows(
                "SELECT pid, host, process_start, started_at, run_id FROM rule_locks WHERE rule = ?", [.text(rule)])
            var previous: RuleLockHolder?
            if let row = rows.first {
                let current = RuleLockHolder(
                    pid: Int32(row[0].integerValue ?? 0), host: row[1].textValue ?? "", processStart: row[2].textValue ?? "",
                    startedAt: row[3].integerValue ?? 0, runID: row[4].integerValue)
                if isAlive(current) { return .held(by: current) }
                previous = current
            }
            try database.run(
                """
                INSERT INTO rule_locks (rule, pid, host, process_start, started_at, run_id) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (rule) DO UPDATE SET pid = excluded.pid, host = excluded.host,
                    process_start = excluded.process_start, started_at = excluded.started_at, run_id = excluded.run_id
                """,
                [
                    .text(rule), .integer(Int64(holder.pid)), .text(holder.host), .text(holder.processStart), .integer(now()),
                    SQLiteValue(holder.runID),
                ])
            return previous.map { .tookOver(from: $0) } ?? .acquired
        }
    }

    /// Notes which run a held lock belongs to.
    public func setRuleLockRun(rule: String, pid: Int32, runID: Int64) throws {
        try write { database in
            try database.run(
                "UPDATE rule_locks SET run_id = ? WHERE rule = ? AND pid = ?", [.integer(runID), .text(rule), .integer(Int64(pid))])
        }
    }

    /// Releases the lock of `rule` if `pid` on `host` holds it; returns whether it did.
    @discardableResult
    public func releaseRuleLock(rule: String, pid: Int32, host: String) throws -> Bool {
        try write { database in
            try database.run(
                "DELETE FROM rule_locks WHERE rule = ? AND pid = ? AND host = ?",
                [.text(rule), .integer(Int64(pid)), .text(host)]) == 1
        }
    }

    /// The holder of `rule`'s lock, or nil.
    public func ruleLockHolder(rule: String) throws -> RuleLockHolder? {
        let rows = try rows(
            "SELECT pid, host, process_start, started_at, run_id FROM rule_locks WHERE rule = ?", [.text(rule)])
        guard let row = rows.first else { return nil }
        return RuleLockHolder(
            pid: Int32(row[0].integerValue ?? 0), host: row[1].textValue ?? "", processStart: row[2].textValue ?? "",
            startedAt: row[3].integerValue ?? 0, runID: row[4].integerValue)
    }
}
