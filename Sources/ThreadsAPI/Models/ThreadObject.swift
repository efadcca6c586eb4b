import JSON

/// A thread as the API returns it: `{"id","object":"thread","created_at","metadata","tool_resources"}`.
///
/// Unknown fields are ignored and `metadata: null` reads as empty, so answers from any
/// compatible provider decode.
public struct ThreadObject: Sendable, Hashable, Codable {
    public var id: String
    public var object: String
    /// Unix seconds.
    public var createdAt: Int64
    public var metadata: [String: String]
    public var toolResources: JSONValue?

    public init(
        id: String, object: String = "thread", createdAt: Int64, metadata: [String: String] = [:],
        toolResources: JSONValue? = nil
    ) {
        self.id = id
        self.object = object
        self.createdAt = createdAt
        self.metadata = metadata
        self.toolResources = toolResources
    }

    enum CodingKeys: String, CodingKey {
        case id, object, metadata
        case createdAt = "created_at"
        case toolResources = "tool_resources"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        object = try container.decodeIfPresent(String.self, forKey: .object) ?? "thread"
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        metadata = try MetadataCoding.decode(container, forKey: .metadata)
        toolResources = try container.decodeIfPresent(JSONValue.self, forKey: .toolResources)
    }
}

/// What a DELETE answers: `{"id","object":"thread.deleted","deleted":true}`.
public struct DeletionStatus: Sendable, Hashable, Codable {
    public var id: String
    public var object: String
    public var deleted: Bool

    public init(id: String, object: String, deleted: Bool) {
        self.id = id
        self.object = object
        self.deleted = deleted
    }

    enum CodingKeys: String, CodingKey { case id, object, deleted }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        object = try container.decodeIfPresent(String.self, forKey: .object) ?? ""
        // Absent is not a yes: a deletion counts only when the answer says so.
        deleted = try container.decodeIfPresent(Bool.self, forKey: .deleted) ?? false
    }
}

/// The result of a DELETE: the provider's not-found answer means someone else already removed
/// it, which is a result, not an error.
public enum DeleteOutcome: String, Sendable, Hashable {
    case deleted
    case gone
}
