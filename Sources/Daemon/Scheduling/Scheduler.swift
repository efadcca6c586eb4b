import Foundation

/// The daemon's scheduling decisions as a pure state machine over wall-clock time.
///
/// The caller passes the current time in and carries out the actions that come back: start a
/// rule's run, note that an elapse was skipped because the rule was still running, sleep until
/// the next elapse (or until woken, when nothing is scheduled). It never reads a clock itself,
/// so tests drive it with chosen instants and never sleep.
///
/// Semantics follow systemd timers: a rule never overlaps itself (an elapse that finds it
/// running is skipped, like starting an active unit); after an elapse the next one is computed
/// from the current time, so a late wake-up does not replay every elapse it slept through; with
/// `RunMissed=yes` (like `Persistent=true`) a rule whose schedule elapsed at least once between
/// its last run and the daemon's start runs once at start; a rule that never ran does not.
public struct Scheduler: Sendable {
    public enum Action: Sendable, Equatable {
        /// Start a run of this rule now.
        case start(String)
        /// The rule's elapse came while its previous run was still going; nothing started.
        case skipOverlap(String)
        /// Nothing more is due; sleep until this instant, or until woken when nil.
        case sleep(until: Date?)
    }

    struct Entry: Sendable {
        var rule: ScheduledRule
        /// The next elapse to act on, nil when the schedule never elapses again.
        var next: Date?
        var running = false
        /// Whether `next` is a catch-up of a missed elapse (`RunMissed=yes`).
        var missed = false
    }

    public let runMissed: Bool
    /// One entry per scheduled rule, sorted by name (found by binary search): an array holds
    /// 1,000 entries in 1,000 slots, where a dictionary keeps room for 2,048.
    private(set) var entries: [Entry] = []
    /// Rules removed on reload while still running: their runs finish, nothing restarts them.
    private(set) var retiredRunning: Set<String> = []

    public init(rules: [ScheduledRule], now: Date, runMissed: Bool) {
        self.runMissed = runMissed
        entries = Self.byName(rules).map { Self.entry(for: $0, now: now, runMissed: runMissed) }
    }

    static func entry(for rule: ScheduledRule, now: Date, runMissed: Bool) -> Entry {
        if runMissed, let last = rule.lastRun, let missed = rule.schedule.nextElapse(after: last), missed <= now {
            return Entry(rule: rule, next: now, missed: true)
        }
        return Entry(rule: rule, next: rule.schedule.nextElapse(after: now))
    }

    /// `rules` sorted by name; of rules with the same name the last one counts.
    static func byName(_ rules: [ScheduledRule]) -> [ScheduledRule] {
        let sorted = rules.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }
        var result: [ScheduledRule] = []
        result.reserveCapacity(sorted.count)
        for (_, rule) in sorted {
            if result.last?.name == rule.name { result.removeLast() }
            result.append(rule)
        }
        return result
    }

    /// The position of `name`'s entry, if it is scheduled.
    func position(of name: String) -> Int? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].rule.name < name { low = middle + 1 } else { high = middle }
        }
        return low < entries.count && entries[low].rule.name == name ? low : nil
    }

    /// Every action due at `now`, in elapse order (then by name), ending with the sleep.
    public mutating func advance(now: Date) -> [Action] {
        var actions: [Action] = []
        // Entries are in name order: ordering ties in elapse by position orders them by name.
        let due = entries.indices.filter { entries[$0].next.map { $0 <= now } ?? false }
            .sorted { (entries[$0].next!, $0) < (entries[$1].next!, $1) }
        for index in due {
            let name = entries[index].rule.name
            entries[index].next = entries[index].rule.schedule.nextElapse(after: now)
            entries[index].missed = false
            if entries[index].running {
                actions.append(.skipOverlap(name))
            } else {
                entries[index].running = true
                actions.append(.start(name))
            }
        }
        actions.append(.sleep(until: nextElapse?.date))
        return actions
    }

    /// Records that `rule`'s run ended; it may start again at its next elapse.
    public mutating func finished(_ rule: String, at date: Date) {
        retiredRunning.remove(rule)
        guard let index = position(of: rule) else { return }
        entries[index].running = false
        entries[index].rule.lastRun = date
    }

    /// Replaces the scheduled rules after a reload. Unchanged schedules keep their next elapse,
    /// new or changed ones compute it from `now` (no catch-up on reload), removed rules are
    /// dropped (a run in progress finishes). The running state is kept across the change.
    public mutating func update(rules: [ScheduledRule], now: Date) {
        var updated: [Entry] = []
        updated.reserveCapacity(rules.count)
        for rule in Self.byName(rules) {
            let old = position(of: rule.name).map { entries[$0] }
            if var old, old.rule.schedule.normalized == rule.schedule.normalized {
                old.rule.schedule = rule.schedule
                updated.append(old)
            } else {
                var entry = Entry(rule: rule, next: rule.schedule.nextElapse(after: now))
                entry.running = old?.running ?? retiredRunning.contains(rule.name)
                entry.rule.lastRun = old?.rule.lastRun ?? rule.lastRun
                updated.append(entry)
            }
            retiredRunning.remove(rule.name)
        }
        let kept = Set(updated.map(\.rule.name))
        for entry in entries where entry.running && !kept.contains(entry.rule.name) { retiredRunning.insert(entry.rule.name) }
        entries = updated
    }

    /// The soonest elapse ahead and its rule (ties by name).
    public var nextElapse: (rule: String, date: Date)? {
        entries.compactMap { entry in entry.next.map { (rule: entry.rule.name, date: $0) } }
            .min { ($0.date, $0.rule) < ($1.date, $1.rule) }
    }

    /// Rules with a run in progress, sorted.
    public var running: [String] {
        (entries.filter(\.running).map(\.rule.name) + retiredRunning).sorted()
    }

    public var isRunning: Bool { !running.isEmpty }

    /// The scheduled rule names, sorted.
    public var ruleNames: [String] { entries.map(\.rule.name) }

    /// The next elapse of `rule`, if it is scheduled and elapses again.
    public func nextElapse(of rule: String) -> Date? { position(of: rule).flatMap { entries[$0].next } }
}
