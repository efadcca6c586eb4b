/// Whether a thread still exists at the API, as far as the ledger knows.
public enum ThreadState: String, Sendable, Hashable, CaseIterable {
    /// Exists (last seen, imported or created).
    case live
    /// Deleted by threadkeeper.
    case deleted
    /// Found missing at the API (a 404): deleted by someone else, or never existed there.
    case gone
}

/// How a thread came into the ledger.
public enum ThreadSource: String, Sendable, Hashable, CaseIterable {
    /// From `threadkeeper import`.
    case `import`
    /// Created through threadkeeper.
    case create
    /// Learned by fetching it from the API.
    case sync
}

/// One row of `threads`: a thread or a conversation the ledger knows about.
public struct ThreadRecord: Sendable, Hashable {
    public var id: String
    /// What kind of object the id names at the API.
    public var object: ObjectKind
    /// When the API created it (Unix seconds); nil when unknown (imported as a bare id, not yet
    /// synced). No age condition matches a thread of unknown age.
    public var createdAt: Int64?
    /// Its metadata: at most 16 string keys and values, as the API keeps them.
    public var metadata: [String: String]
    public var state: ThreadState
    public var source: ThreadSource
    /// When the ledger first recorded it (Unix seconds).
    public var firstSeen: Int64
    /// When its metadata was last confirmed with the API, if ever.
    public var lastSynced: Int64?
    /// When its newest message was written, if known.
    public var lastActivity: Int64?
    /// The stored metadata could not be parsed (`metadata` is then empty): the thread counts
    /// as held by every destructive rule until the API's copy replaces it.
    public var metadataUnreadable: Bool = false

    public init(
        id: String, createdAt: Int64?, metadata: [String: String] = [:], state: ThreadState = .live,
        source: ThreadSource = .import, firstSeen: Int64, lastSynced: Int64? = nil, lastActivity: Int64? = nil,
        object: ObjectKind = .thread
    ) {
        self.id = id
        self.object = object
        self.createdAt = createdAt
        self.metadata = metadata
        self.state = state
        self.source = source
        self.firstSeen = firstSeen
        self.lastSynced = lastSynced
        self.lastActivity = lastActivity
    }
}
