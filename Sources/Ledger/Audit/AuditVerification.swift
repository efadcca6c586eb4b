/// A head written down elsewhere (the journal, a report) that the ledger's chain must still contain.
public struct ExpectedHead: Sendable, Hashable {
    /// Where it comes from, for the report: "the journal (run 7)", "--head".
    public var source: String
    /// The row it was the hash of, when known.
    public var rows: Int64?
    public var hash: String

    public init(source: String, rows: Int64? = nil, hash: String) {
        self.source = source
        self.rows = rows
        self.hash = hash.lowercased()
    }
}

/// Whether the chain still holds an expected head, and if not, what that means.
public struct HeadCheck: Sendable, Hashable {
    public var expected: ExpectedHead
    /// The row whose hash the head is, when found.
    public var foundAt: Int64?
    /// Why it does not match, naming the first row concerned; nil when it does.
    public var problem: String?
}

/// The first row of the chain that does not hold.
public struct ChainBreak: Sendable, Hashable {
    /// The chain row (`chain.seq`), or nil when the fault is a fact with no chain row.
    public var seq: Int64?
    /// The fact concerned, as "outcome of action 12" or "run 3".
    public var fact: String
    public var reason: String

    public var description: String {
        (seq.map { "chain row \($0) (\(fact))" } ?? fact) + ": " + reason
    }
}

/// The result of `Ledger.verifyAudit`.
public struct AuditVerification: Sendable, Hashable {
    /// The chain's rows and last hash as recomputed (up to the first break).
    public var head: ChainHead
    /// The first row that does not hold, or a fact the chain does not cover.
    public var firstBroken: ChainBreak?
    /// What schema 2's per-action links covered when the chain took over; nil for a ledger made at schema 3.
    public var legacy: LegacyLinks?
    /// The per-action links (`actions.prev_hash`, `actions.hash`), still written for every action.
    public var actionLinks: ChainVerification
    public var heads: [HeadCheck]

    public var isIntact: Bool { firstBroken == nil && actionLinks.isIntact && heads.allSatisfy { $0.problem == nil } }
}
