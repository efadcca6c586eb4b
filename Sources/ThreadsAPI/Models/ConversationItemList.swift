import JSON

/// A page of a conversation's items: `{"object":"list","data":[…],"first_id","last_id","has_more"}`.
///
/// Items (messages, tool calls, reasoning…) are kept as the JSON values they came as: threadkeeper
/// only archives and counts them, and the API adds item types faster than a client could model them.
public struct ConversationItemList: Sendable, Hashable, Codable {
    public var data: [JSONValue]
    public var firstID: String?
    public var lastID: String?
    public var hasMore: Bool

    public init(data: [JSONValue], firstID: String? = nil, lastID: String? = nil, hasMore: Bool = false) {
        self.data = data
        self.firstID = firstID
        self.lastID = lastID
        self.hasMore = hasMore
    }

    enum CodingKeys: String, CodingKey {
        case data
        case firstID = "first_id"
        case lastID = "last_id"
        case hasMore = "has_more"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        data = try container.decodeIfPresent([JSONValue].self, forKey: .data) ?? []
        firstID = try container.decodeIfPresent(String.self, forKey: .firstID)
        lastID = try container.decodeIfPresent(String.self, forKey: .lastID)
        hasMore = try container.decodeIfPresent(Bool.self, forKey: .hasMore) ?? false
    }

    /// The id of each item, nil for an item without a string id.
    public var itemIDs: [String?] {
        data.map { $0["id"]?.stringValue }
    }
}
