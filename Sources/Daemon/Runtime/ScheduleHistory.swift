import Foundation
import Ledger

/// When rules last started on schedule, read from the ledger's `runs`, for `RunMissed=yes`.
public enum ScheduleHistory {
    /// The start of each rule's latest scheduled, non-dry run among its `depth` most recent runs;
    /// rules that never ran on schedule are absent (no catch-up for them, like a timer without
    /// a stamp file).
    public static func lastScheduledStarts(in ledger: Ledger, rules: [String], depth: Int = 100) throws -> [String: Date] {
        var starts: [String: Date] = [:]
        for rule in rules {
            let latest = try ledger.recentRuns(limit: depth, rule: rule).first { $0.trigger == .schedule && !$0.dryRun }
            if let latest { starts[rule] = Date(timeIntervalSince1970: TimeInterval(latest.startedAt)) }
        }
        return starts
    }
}
