/// All threads the emulator knows, live and deleted: plain data, owned by whoever holds its lock.
///
/// Threads sit in insertion order (`slots`) with an index by id; a deleted thread leaves a hole and its id
/// in `deletedIDs`, so a second delete can be told apart from a thread that never existed.
public struct ThreadStore: Sendable {
    private(set) var slots: [StoredThread?] = []
    private var index: [String: Int] = [:]
    public private(set) var deletedIDs: Set<String> = []
    /// Deletes of threads that were already deleted.
    public private(set) var repeatedDeletes = 0
    var random: SplitMix64
    /// The conversations, served beside the threads (OpenAI's Conversations API).
    public var conversations = ConversationStore()

    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    public var liveCount: Int { index.count }
    public var deletedCount: Int { deletedIDs.count }

    public func thread(_ id: String) -> StoredThread? {
        guard let slot = index[id] else { return nil }
        return slots[slot]
    }

    public func isLive(_ id: String) -> Bool { index[id] != nil }

    public var liveIDs: Set<String> { Set(index.keys) }

    /// Live threads in the order they were added.
    public var liveThreads: some Sequence<StoredThread> { slots.lazy.compactMap { $0 } }

    public mutating func reserveCapacity(_ count: Int) {
        slots.reserveCapacity(slots.count + count)
        index.reserveCapacity(index.count + count)
    }

    /// Adds a thread; a thread with the same id replaces the old one in place.
    public mutating func insert(_ thread: StoredThread) {
        if let slot = index[thread.id] {
            slots[slot] = thread
            return
        }
        deletedIDs.remove(thread.id)
        index[thread.id] = slots.count
        slots.append(thread)
    }

    /// Records an id as deleted without it ever having been live here (for restored state).
    public mutating func insertDeleted(_ id: String) {
        if index[id] == nil { deletedIDs.insert(id) }
    }

    /// Restores the count of repeated deletes from a state file.
    mutating func restoreRepeatedDeletes(_ count: Int) { repeatedDeletes = count }

    public mutating func newThreadID() -> String {
        while true {
            let id = random.identifier(prefix: "thread_")
            if index[id] == nil && !deletedIDs.contains(id) { return id }
        }
    }

    public mutating func newMessageID() -> String { random.identifier(prefix: "msg_") }

    /// Changes a live thread in place; nil when it is not live.
    public mutating func update<T>(_ id: String, _ change: (inout StoredThread) -> T) -> T? {
        guard let slot = index[id] else { return nil }
        return change(&slots[slot]!)
    }

    /// Deletes a live thread; false (and counted) when it was deleted before, false when unknown.
    public mutating func delete(_ id: String) -> Bool {
        guard let slot = index.removeValue(forKey: id) else {
            if deletedIDs.contains(id) { repeatedDeletes += 1 }
            return false
        }
        slots[slot] = nil
        deletedIDs.insert(id)
        return true
    }

    /// The messages of a live thread, generating a seeded thread's messages on first use.
    public mutating func messages(of id: String, now: Int64) -> [StoredMessage]? {
        update(id) { thread in
            Self.materialize(&thread, now: now)
            guard case .stored(let messages) = thread.messages else { preconditionFailure("messages were just materialized") }
            return messages
        }
    }

    /// Changes the message list of a live thread; nil when the thread is not live.
    public mutating func updateMessages<T>(of id: String, now: Int64, _ change: (inout [StoredMessage]) -> T) -> T? {
        update(id) { thread in
            Self.materialize(&thread, now: now)
            guard case .stored(var messages) = thread.messages else { preconditionFailure("messages were just materialized") }
            thread.messages = .stored([])
            let result = change(&messages)
            thread.messages = .stored(messages)
            return result
        }
    }

    static func materialize(_ thread: inout StoredThread, now: Int64) {
        if case .seeded(let seed, let count) = thread.messages {
            thread.messages = .stored(SeedVocabulary.messages(seed: seed, count: count, createdAt: thread.createdAt, now: now))
        }
    }
}
