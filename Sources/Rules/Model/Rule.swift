import Ledger
import Schedule
import UnitFile

/// One retention rule, read from `NAME.rule`.
///
/// The text and its digest are kept so a run can record exactly which rule acted.
public struct Rule: Sendable {
    /// The file name without `.rule`.
    public var name: String
    /// The path it was read from.
    public var file: String
    /// The file's text, as recorded with every run.
    public var text: String
    /// SHA-256 of the file's bytes, lower-case hex.
    public var digest: String
    public var description: String?
    public var action: RuleAction
    /// `Enabled=no` keeps a rule loaded (and checked) but never scheduled.
    public var enabled: Bool
    /// When the daemon runs it; nil means manual runs only.
    public var schedule: RuleSchedule?
    public var match: RuleMatch
    public var options: RuleActionOptions
    public var limits: RuleLimits

    public init(
        name: String, file: String = "", text: String = "", digest: String = "", description: String? = nil,
        action: RuleAction, enabled: Bool = true, schedule: RuleSchedule? = nil, match: RuleMatch = RuleMatch(),
        options: RuleActionOptions = RuleActionOptions(), limits: RuleLimits = RuleLimits()
    ) {
        self.name = name
        self.file = file
        self.text = text
        self.digest = digest
        self.description = description
        self.action = action
        self.enabled = enabled
        self.schedule = schedule
        self.match = match
        self.options = options
        self.limits = limits
    }
}

/// What a rule does to each thread it matches.
public enum RuleAction: String, Sendable, Hashable, CaseIterable {
    /// DELETE the thread.
    case delete
    /// Add or change metadata keys (`Set=`).
    case tag
    /// Remove metadata keys (`Remove=`).
    case untag
    /// Touch nothing; record what matches.
    case report

    /// Whether the action changes the thread, so that holds apply to it.
    public var changesThreads: Bool { self != .report }
}

/// `Verify=`: when to GET a thread and re-check the rule on fresh metadata before acting.
public enum VerifyMode: String, Sendable, Hashable, CaseIterable {
    /// Before every action.
    case always
    /// When the ledger's copy is older than `VerifyWindow=`.
    case stale
    /// Trust the ledger.
    case never
}

/// The `[Action]` section.
public struct RuleActionOptions: Sendable, Hashable {
    /// Save the thread and its messages before deleting it.
    public var archive: Bool
    public var verify: VerifyMode
    /// With `Verify=stale`: metadata synced within this span counts as fresh.
    public var verifyWindow: TimeSpan
    /// `Set=key=value` for `Action=tag`, in file order.
    public var set: [MetadataAssignment]
    /// `Remove=key` for `Action=untag`.
    public var remove: [String]

    public init(
        archive: Bool = false, verify: VerifyMode = .always, verifyWindow: TimeSpan = .seconds(3600),
        set: [MetadataAssignment] = [], remove: [String] = []
    ) {
        self.archive = archive
        self.verify = verify
        self.verifyWindow = verifyWindow
        self.set = set
        self.remove = remove
    }
}

/// One `Set=key=value`.
public struct MetadataAssignment: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// The `[Limits]` section; nil means no limit of the rule's own.
public struct RuleLimits: Sendable, Hashable {
    /// At most this many actions a run.
    public var maxThreads: Int?
    /// Refuse a run matching more than this percentage of the live inventory (0 < x ≤ 100).
    public var maxFraction: Double?
    /// A rule may ask for less than the account's budget, never more.
    public var requestsPerSecond: Double?
    public var concurrency: Int?

    public init(maxThreads: Int? = nil, maxFraction: Double? = nil, requestsPerSecond: Double? = nil, concurrency: Int? = nil) {
        self.maxThreads = maxThreads
        self.maxFraction = maxFraction
        self.requestsPerSecond = requestsPerSecond
        self.concurrency = concurrency
    }
}

/// `Schedule=`: a systemd calendar event, as `OnCalendar=` takes it.
public struct RuleSchedule: Sendable {
    /// The text after `Schedule=`.
    public var text: String
    public var calendar: CalendarSpec
    /// Where it was written, for findings at run time.
    public var location: SourceLocation?

    public init(text: String, calendar: CalendarSpec, location: SourceLocation? = nil) {
        self.text = text
        self.calendar = calendar
        self.location = location
    }

    /// Parses a calendar expression; throws `CalendarSpecError` naming the bad part.
    public init(text: String, location: SourceLocation? = nil) throws {
        self.init(text: text, calendar: try CalendarSpec.parse(text), location: location)
    }

    /// systemd's normalized form (`*-*-* 03:00:00 UTC`), as `systemd-analyze calendar` prints it.
    public var normalized: String { calendar.normalized }

    /// The first whole second strictly after `time` (Unix seconds) at which the schedule elapses.
    ///
    /// Expressions without a zone are read in the process's local zone, as systemd's timers do.
    public func nextElapse(after time: Int64, localZone: ZoneRules = .local) -> Int64? {
        let (base, overflow) = time.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { return nil }
        // The last microsecond of `time`'s second, so the answer is after the whole second.
        guard let next = calendar.nextElapse(afterMicroseconds: base + 999_999, localZone: localZone) else { return nil }
        return (next + 999_999) / 1_000_000
    }
}
