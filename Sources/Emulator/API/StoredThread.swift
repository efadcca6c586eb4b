/// One part of a message's content.
public enum ContentPart: Sendable, Equatable {
    case text(String)
    /// Another part type (`image_file`, `image_url`), echoed back as sent.
    case other(JSONValue)
}

/// A message as the emulator stores it.
public struct StoredMessage: Sendable, Equatable {
    public var id: String
    public var createdAt: Int64
    public var role: String
    public var content: [ContentPart]
    public var attachments: JSONValue
    public var metadata: [(String, String)]

    public init(
        id: String, createdAt: Int64, role: String, content: [ContentPart], attachments: JSONValue = .array([]),
        metadata: [(String, String)] = []
    ) {
        self.id = id
        self.createdAt = createdAt
        self.role = role
        self.content = content
        self.attachments = attachments
        self.metadata = metadata
    }

    public static func == (lhs: StoredMessage, rhs: StoredMessage) -> Bool {
        lhs.id == rhs.id && lhs.createdAt == rhs.createdAt && lhs.role == rhs.role && lhs.content == rhs.content
            && lhs.attachments == rhs.attachments && lhs.metadata.elementsEqual(rhs.metadata, by: { $0 == $1 })
    }
}

/// The messages of a thread: generated on first use for seeded threads, so that seeding a million
/// threads costs no message storage until a client asks for them.
public enum MessageLog: Sendable {
    case seeded(seed: UInt64, count: Int)
    case stored([StoredMessage])
}

/// A thread as the emulator stores it.
public struct StoredThread: Sendable {
    public var id: String
    public var createdAt: Int64
    /// Key order as sent, which is how the API echoes it.
    public var metadata: [(String, String)]
    /// `nil` answers as `{}`.
    public var toolResources: JSONValue?
    public var messages: MessageLog

    public init(
        id: String, createdAt: Int64, metadata: [(String, String)] = [], toolResources: JSONValue? = nil,
        messages: MessageLog = .stored([])
    ) {
        self.id = id
        self.createdAt = createdAt
        self.metadata = metadata
        self.toolResources = toolResources
        self.messages = messages
    }

    /// Writes the thread object exactly as the API returns it.
    public func writeJSON(into writer: inout JSONWriter) {
        writer.raw("{\"id\":")
        writer.string(id)
        writer.raw(",\"object\":\"thread\",\"created_at\":")
        writer.integer(createdAt)
        writer.raw(",\"metadata\":")
        writer.stringMap(metadata)
        writer.raw(",\"tool_resources\":")
        if let toolResources { writer.value(toolResources) } else { writer.raw("{}") }
        writer.raw("}")
    }

    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 160)
        writeJSON(into: &writer)
        return writer.bytes
    }
}

extension StoredMessage {
    /// Writes the message object exactly as the API returns it.
    public func writeJSON(threadID: String, into writer: inout JSONWriter) {
        writer.raw("{\"id\":")
        writer.string(id)
        writer.raw(",\"object\":\"thread.message\",\"created_at\":")
        writer.integer(createdAt)
        writer.raw(",\"assistant_id\":null,\"thread_id\":")
        writer.string(threadID)
        writer.raw(",\"run_id\":null,\"role\":")
        writer.string(role)
        writer.raw(",\"content\":[")
        for (index, part) in content.enumerated() {
            if index > 0 { writer.raw(",") }
            switch part {
            case .text(let text):
                writer.raw("{\"type\":\"text\",\"text\":{\"value\":")
                writer.string(text)
                writer.raw(",\"annotations\":[]}}")
            case .other(let value):
                writer.value(value)
            }
        }
        writer.raw("],\"attachments\":")
        writer.value(attachments)
        writer.raw(",\"metadata\":")
        writer.stringMap(metadata)
        writer.raw("}")
    }
}
