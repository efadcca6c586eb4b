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
    private(set) var entries: [String: Entry] = [:]
    /// Rules removed on reload while still running: their runs finish, nothing restarts them.
    private(set) var retiredRunning: Set<String> = []

    public init(rules: [ScheduledRule], now: Date, runMissed: Bool) {
        self.runMissed = runMissed
        for rule in rules { entries[rule.name] = Self.entry(for: rule, now: now, runMissed: runMissed) }
    }

    static func entry(for rule: ScheduledRule, now: Date, runMissed: Bool) -> Entry {
        if runMissed, let last = rule.lastRun, let missed = rule.schedule.nextElapse(after: last), missed <= now {
            return Entry(rule: rule, next: now, missed: true)
        }
        return Entry(rule: rule, next: rule.schedule.nextElapse(after: now))
    }

    /// Every action due at `now`, in elapse order (then by name), ending with the sleep.
    public mutating func advance(now: Date) -> [Action] {
        var actions: [Action] = []
        let due = entries.values.filter { $0.next.map { $0 <= now } ?? false }
            .sorted { ($0.next!, $0.rule.name) < ($1.next!, $1.rule.name) }
        for entry in due {
            let name = entry.rule.name
            entries[name]!.next = entry.rule.schedule.nextElapse(after: now)
            entries[name]!.missed = false
            if entry.running {
                actions.append(.skipOverlap(name))
            } else {
                entries[name]!.running = true
                actions.append(.start(name))
            }
        }
        actions.append(.sleep(until: nextElapse?.date))
        return actions
    }

    /// Records that `rule`'s run ended; it may start again at its next elapse.
    public mutating func finished(_ rule: String, at date: Date) {
        retiredRunning.remove(rule)
        guard entries[rule] != nil else { return }
        entries[rule]!.running = false
        entries[rule]!.rule.lastRun = date
    }

    /// Replaces the scheduled rules after a reload. Unchanged schedules keep their next elapse,
    /// new or changed ones compute it from `now` (no catch-up on reload), removed rules are
    /// dropped (a run in progress finishes). The running state is kept across the change.
    public mutating func update(rules: [ScheduledRule], now: Date) {
        var updated: [String: Entry] = [:]
        for rule in rules {
            if var old = entries[rule.name], old.rule.schedule.normalized == rule.schedule.normalized {
                old.rule.schedule = rule.schedule
                updated[rule.name] = old
            } else {
                var entry = Entry(rule: rule, next: rule.schedule.nextElapse(after: now))
                entry.running = entries[rule.name]?.running ?? retiredRunning.contains(rule.name)
                entry.rule.lastRun = entries[rule.name]?.rule.lastRun ?? rule.lastRun
                updated[rule.name] = entry
            }
            retiredRunning.remove(rule.name)
        }
        for (name, entry) in entries where updated[name] == nil && entry.running { retiredRunning.insert(name) }
        entries = updated
    }

    /// The soonest elapse ahead and its rule (ties by name).
    public var nextElapse: (rule: String, date: Date)? {
        entries.values.compactMap { entry in entry.next.map { (rule: entry.rule.name, date: $0) } }
            .min { ($0.date, $0.rule) < ($1.date, $1.rule) }
    }

    /// Rules with a run in progress, sorted.
    public var running: [String] {
        (entries.values.filter(\.running).map(\.rule.name) + retiredRunning).sorted()
    }

    public var isRunning: Bool { !running.isEmpty }

    /// The scheduled rule names, sorted.
    public var ruleNames: [String] { entries.keys.sorted() }

    /// The next elapse of `rule`, if it is scheduled and elapses again.
    public func nextElapse(of rule: String) -> Date? { entries[rule]?.next }
}
