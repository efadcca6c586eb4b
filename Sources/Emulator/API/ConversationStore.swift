import JSON

/// A conversation as the emulator stores it: its object's fields and its items, oldest first.
public struct StoredConversation: Sendable {
    public var id: String
    public var createdAt: Int64
    /// Key order as sent, which is how the API echoes it.
    public var metadata: [(String, String)]
    /// Each item as the API returns it (an object with `id` and `type`), oldest first.
    public var items: [JSONValue]

    public init(id: String, createdAt: Int64, metadata: [(String, String)] = [], items: [JSONValue] = []) {
        self.id = id
        self.createdAt = createdAt
        self.metadata = metadata
        self.items = items
    }

    /// Writes the conversation object exactly as the API returns it.
    public func writeJSON(into writer: inout JSONWriter) {
        writer.raw("{\"id\":")
        writer.string(id)
        writer.raw(",\"object\":\"conversation\",\"created_at\":")
        writer.integer(createdAt)
        writer.raw(",\"metadata\":")
        writer.stringMap(metadata)
        writer.raw("}")
    }

    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writeJSON(into: &writer)
        return writer.bytes
    }
}

/// Every conversation the emulator knows, live and deleted, beside the threads in `ThreadStore`.
///
/// A deleted conversation keeps its id in `deletedIDs`, so a second delete can be told apart
/// from a conversation that never existed.
public struct ConversationStore: Sendable {
    private var live: [String: StoredConversation] = [:]
    public private(set) var deletedIDs: Set<String> = []

    public init() {}

    public var liveCount: Int { live.count }
    public var liveIDs: Set<String> { Set(live.keys) }

    public func conversation(_ id: String) -> StoredConversation? { live[id] }

    /// Adds a conversation; one with the same id replaces the old one.
    public mutating func insert(_ conversation: StoredConversation) {
        deletedIDs.remove(conversation.id)
        live[conversation.id] = conversation
    }

    /// Changes a live conversation in place; nil when it is not live.
    public mutating func update<T>(_ id: String, _ change: (inout StoredConversation) -> T) -> T? {
        guard live[id] != nil else { return nil }
        return change(&live[id]!)
    }

    /// Deletes a live conversation; false when it is not live.
    public mutating func delete(_ id: String) -> Bool {
        guard live.removeValue(forKey: id) != nil else { return false }
        deletedIDs.insert(id)
        return true
    }

    func isTaken(_ id: String) -> Bool { live[id] != nil || deletedIDs.contains(id) }
}

extension ThreadStore {
    /// A new conversation id: `conv_` and 48 characters, as long as OpenAI's.
    public mutating func newConversationID() -> String {
        while true {
            let id = random.identifier(prefix: "conv_", count: 48)
            if !conversations.isTaken(id) { return id }
        }
    }

    /// A new item id; messages are `msg_…`, other items `item_…`.
    public mutating func newItemID(message: Bool) -> String {
        message ? random.identifier(prefix: "msg_", count: 48) : random.identifier(prefix: "item_", count: 48)
    }
}
