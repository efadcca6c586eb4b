import JSON

/// One part of a message's content.
public enum ContentPart: Sendable, Equatable {
    /// A text part; `annotations` are the citations an assistant's answer carries
    /// (`file_citation`, `file_path`), empty for text a client sent.
    case text(String, annotations: [JSONValue] = [])
    /// Another part type (`image_file`, `image_url`, `refusal`), echoed back as sent.
    case other(JSONValue)
}

/// A message as the emulator stores it: every field of the API's message object.
public struct StoredMessage: Sendable, Equatable {
    public var id: String
    public var createdAt: Int64
    public var role: String
    public var content: [ContentPart]
    public var attachments: JSONValue
    public var metadata: [(String, String)]
    /// `in_progress`, `incomplete` or `completed`.
    public var status: String
    /// `{"reason": …}` for an incomplete message, else null.
    public var incompleteDetails: JSONValue
    public var completedAt: Int64?
    public var incompleteAt: Int64?
    public var assistantID: String?
    public var runID: String?
    /// Fields after the documented ones, as a later version of the API may add them: tests use
    /// them to show that a client keeps what it does not know.
    public var additionalFields: [(String, JSONValue)]

    /// A message as `POST /threads/{id}/messages` creates it: completed at once.
    public init(
        id: String, createdAt: Int64, role: String, content: [ContentPart], attachments: JSONValue = .array([]),
        metadata: [(String, String)] = [], status: String = "completed", incompleteDetails: JSONValue = .null,
        completedAt: Int64? = nil, incompleteAt: Int64? = nil, assistantID: String? = nil, runID: String? = nil,
        additionalFields: [(String, JSONValue)] = []
    ) {
        self.id = id
        self.createdAt = createdAt
        self.role = role
        self.content = content
        self.attachments = attachments
        self.metadata = metadata
        self.status = status
        self.incompleteDetails = incompleteDetails
        self.completedAt = completedAt ?? (status == "completed" ? createdAt : nil)
        self.incompleteAt = incompleteAt
        self.assistantID = assistantID
        self.runID = runID
        self.additionalFields = additionalFields
    }

    public static func == (lhs: StoredMessage, rhs: StoredMessage) -> Bool {
        lhs.id == rhs.id && lhs.createdAt == rhs.createdAt && lhs.role == rhs.role && lhs.content == rhs.content
            && lhs.attachments == rhs.attachments && lhs.metadata.elementsEqual(rhs.metadata, by: { $0 == $1 })
            && lhs.status == rhs.status && lhs.incompleteDetails == rhs.incompleteDetails && lhs.completedAt == rhs.completedAt
            && lhs.incompleteAt == rhs.incompleteAt && lhs.assistantID == rhs.assistantID && lhs.runID == rhs.runID
            && lhs.additionalFields.elementsEqual(rhs.additionalFields, by: { $0.0 == $1.0 && $0.1 == $1.1 })
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
    /// Writes the message object exactly as the API returns it, every field in the API's order.
    public func writeJSON(threadID: String, into writer: inout JSONWriter) {
        writer.raw("{\"id\":")
        writer.string(id)
        writer.raw(",\"object\":\"thread.message\",\"created_at\":")
        writer.integer(createdAt)
        writer.raw(",\"assistant_id\":")
        Self.write(assistantID, into: &writer)
        writer.raw(",\"thread_id\":")
        writer.string(threadID)
        writer.raw(",\"run_id\":")
        Self.write(runID, into: &writer)
        writer.raw(",\"status\":")
        writer.string(status)
        writer.raw(",\"incomplete_details\":")
        writer.value(incompleteDetails)
        writer.raw(",\"completed_at\":")
        Self.write(completedAt, into: &writer)
        writer.raw(",\"incomplete_at\":")
        Self.write(incompleteAt, into: &writer)
        writer.raw(",\"role\":")
        writer.string(role)
        writer.raw(",\"content\":[")
        for (index, part) in content.enumerated() {
            if index > 0 { writer.raw(",") }
            switch part {
            case .text(let text, let annotations):
                writer.raw("{\"type\":\"text\",\"text\":{\"value\":")
                writer.string(text)
                writer.raw(",\"annotations\":")
                writer.value(.array(annotations))
                writer.raw("}}")
            case .other(let value):
                writer.value(value)
            }
        }
        writer.raw("],\"attachments\":")
        writer.value(attachments)
        writer.raw(",\"metadata\":")
        writer.stringMap(metadata)
        for (name, value) in additionalFields {
            writer.raw(",")
            writer.string(name)
            writer.raw(":")
            writer.value(value)
        }
        writer.raw("}")
    }

    private static func write(_ text: String?, into writer: inout JSONWriter) {
        if let text { writer.string(text) } else { writer.raw("null") }
    }

    private static func write(_ time: Int64?, into writer: inout JSONWriter) {
        if let time { writer.integer(time) } else { writer.raw("null") }
    }
}
