import JSON

/// A page of a list the API answers: `{"object":"list","data":[…],"first_id","last_id","has_more"}`.
///
/// Threads' messages and conversations' items come in the same envelope.
public struct ListPage<Item: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    public var data: [Item]
    public var firstID: String?
    public var lastID: String?
    public var hasMore: Bool

    public init(data: [Item], firstID: String? = nil, lastID: String? = nil, hasMore: Bool = false) {
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
        data = try container.decodeIfPresent([Item].self, forKey: .data) ?? []
        firstID = try container.decodeIfPresent(String.self, forKey: .firstID)
        lastID = try container.decodeIfPresent(String.self, forKey: .lastID)
        hasMore = try container.decodeIfPresent(Bool.self, forKey: .hasMore) ?? false
    }
}

/// A page of a conversation's items.
///
/// Items (messages, tool calls, reasoning…) are kept as the JSON values they came as: threadkeeper
/// only archives and counts them, and the API adds item types faster than a client could model them.
public typealias ConversationItemList = ListPage<JSONValue>

extension ListPage where Item == JSONValue {
    /// The id of each item, nil for an item without a string id.
    public var itemIDs: [String?] {
        data.map { $0["id"]?.stringValue }
    }
}
