/// A message of a thread, as the API returns it.
public struct MessageObject: Sendable, Hashable, Codable {
    public var id: String
    public var object: String
    /// Unix seconds.
    public var createdAt: Int64
    public var threadID: String
    public var role: String
    public var content: [MessageContent]
    public var assistantID: String?
    public var runID: String?
    public var metadata: [String: String]

    public init(
        id: String, createdAt: Int64, threadID: String, role: String, content: [MessageContent],
        assistantID: String? = nil, runID: String? = nil, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.object = "thread.message"
        self.createdAt = createdAt
        self.threadID = threadID
        self.role = role
        self.content = content
        self.assistantID = assistantID
        self.runID = runID
        self.metadata = metadata
    }

    /// The text parts joined by newlines.
    public var text: String {
        content.compactMap(\.text).joined(separator: "\n")
    }

    enum CodingKeys: String, CodingKey {
        case id, object, role, content, metadata
        case createdAt = "created_at"
        case threadID = "thread_id"
        case assistantID = "assistant_id"
        case runID = "run_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        object = try container.decodeIfPresent(String.self, forKey: .object) ?? "thread.message"
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        threadID = try container.decodeIfPresent(String.self, forKey: .threadID) ?? ""
        role = try container.decodeIfPresent(String.self, forKey: .role) ?? ""
        if let text = try? container.decode(String.self, forKey: .content) {
            content = [MessageContent(text: text)]
        } else {
            content = try container.decodeIfPresent([MessageContent].self, forKey: .content) ?? []
        }
        assistantID = try container.decodeIfPresent(String.self, forKey: .assistantID)
        runID = try container.decodeIfPresent(String.self, forKey: .runID)
        metadata = try MetadataCoding.decode(container, forKey: .metadata)
    }
}

/// One part of a message's content: `{"type":"text","text":{"value":…,"annotations":[]}}`.
///
/// Parts of other types carry no text; `reference` names what they hold, for a transcript:
/// the file id of an `image_file`, the URL of an `image_url`, the words of a `refusal`.
/// Archives keep every part whole (they store the API's answers as received), so this model
/// needs only what a reader shows.
public struct MessageContent: Sendable, Hashable, Codable {
    public var type: String
    public var text: String?
    public var reference: String?

    public init(type: String = "text", text: String?, reference: String? = nil) {
        self.type = type
        self.text = text
        self.reference = reference
    }

    enum CodingKeys: String, CodingKey {
        case type, text, refusal
        case imageFile = "image_file"
        case imageURL = "image_url"
    }
    enum TextKeys: String, CodingKey { case value, annotations }
    enum ImageKeys: String, CodingKey {
        case url
        case fileID = "file_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? "text"
        if let plain = try? container.decode(String.self, forKey: .text) {
            text = plain
        } else if let nested = try? container.nestedContainer(keyedBy: TextKeys.self, forKey: .text) {
            text = try nested.decodeIfPresent(String.self, forKey: .value)
        } else {
            text = nil
        }
        // A part this version does not know, or one of an odd shape, still reads: only its
        // reference is lost, never the message.
        switch type {
        case "image_file":
            reference = try? container.nestedContainer(keyedBy: ImageKeys.self, forKey: .imageFile).decode(String.self, forKey: .fileID)
        case "image_url":
            reference = try? container.nestedContainer(keyedBy: ImageKeys.self, forKey: .imageURL).decode(String.self, forKey: .url)
        case "refusal":
            reference = try? container.decode(String.self, forKey: .refusal)
        default:
            reference = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        if let text {
            var nested = container.nestedContainer(keyedBy: TextKeys.self, forKey: .text)
            try nested.encode(text, forKey: .value)
            try nested.encode([String](), forKey: .annotations)
        }
    }
}

/// A page of messages.
public typealias MessageList = ListPage<MessageObject>

/// The order of a message list.
public enum ListOrder: String, Sendable, Hashable {
    case ascending = "asc"
    case descending = "desc"
}

/// A message to add when creating a thread or posting to one.
public struct NewMessage: Sendable, Hashable, Encodable {
    public var role: String
    public var content: String
    public var metadata: [String: String]?

    public init(role: String = "user", content: String, metadata: [String: String]? = nil) {
        self.role = role
        self.content = content
        self.metadata = metadata
    }
}
