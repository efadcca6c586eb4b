import UnitFile

/// The sections and keys of a rule file.
public enum RuleSchema {
    public static let schema = UnitFileSchema([
        .init("Rule", keys: [.init("Description"), .init("Schedule"), .init("Action"), .init("Enabled")]),
        .init(
            "Match",
            keys: [
                .init("OlderThan"), .init("NewerThan"), .init("CreatedBefore"), .init("CreatedAfter"),
                .init("Metadata", repeatable: true), .init("IdleFor"), .init("ActiveWithin"),
                .init("Source", repeatable: true), .init("State", repeatable: true), .init("Object"),
            ]),
        .init(
            "Action",
            keys: [
                .init("Archive"), .init("Verify"), .init("VerifyWindow"), .init("Set", repeatable: true),
                .init("Remove", repeatable: true),
            ]),
        .init("Limits", keys: [.init("MaxThreads"), .init("MaxFraction"), .init("RequestsPerSecond"), .init("Concurrency")]),
    ])
}

/// The account's request budget from the config: a rule may ask for less, never more.
public struct RuleBudget: Sendable, Hashable {
    public var requestsPerSecond: Double
    public var concurrency: Int

    public init(requestsPerSecond: Double, concurrency: Int) {
        self.requestsPerSecond = requestsPerSecond
        self.concurrency = concurrency
    }
}
