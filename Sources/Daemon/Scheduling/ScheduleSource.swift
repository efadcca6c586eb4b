import Foundation

/// What the scheduler needs of a rule's `Schedule=`: its next elapse after a moment.
///
/// `Schedule.CalendarSpec` (systemd calendar events) is the real one; tests use fixed lists.
public protocol ScheduleSource: Sendable {
    /// The normalised expression, compared on reload to tell a changed schedule.
    var normalized: String { get }
    /// The first elapse strictly after `date`, or nil when the schedule never elapses again.
    func nextElapse(after date: Date) -> Date?
}

/// One scheduled rule as the scheduler sees it.
public struct ScheduledRule: Sendable {
    public var name: String
    public var schedule: any ScheduleSource
    /// When the rule last started on schedule (from the ledger's `runs`), for `RunMissed=yes`.
    public var lastRun: Date?

    public init(name: String, schedule: any ScheduleSource, lastRun: Date? = nil) {
        self.name = name
        self.schedule = schedule
        self.lastRun = lastRun
    }
}
