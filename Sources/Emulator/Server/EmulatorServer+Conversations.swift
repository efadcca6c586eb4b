import JSON

extension EmulatorServer {
    /// Adds a conversation directly, with `itemCount` messages alternating user and assistant
    /// (`message 1`, `message 2`, …); returns its id.
    @discardableResult
    public func insertConversation(id: String? = nil, createdAt: Int64, metadata: [String: String] = [:], itemCount: Int = 0)
        async -> String
    {
        shared.withCore { core in
            let conversationID = id ?? core.store.newConversationID()
            var items: [JSONValue] = []
            for index in 0..<itemCount {
                let assistant = index % 2 == 1
                let part: JSONValue = .object([
                    ("type", .string(assistant ? "output_text" : "input_text")), ("text", .string("message \(index + 1)")),
                ])
                items.append(
                    .object([
                        ("id", .string(core.store.newItemID(message: true))), ("type", .string("message")),
                        ("status", .string("completed")), ("role", .string(assistant ? "assistant" : "user")),
                        ("content", .array([part])),
                    ]))
            }
            core.store.conversations.insert(
                StoredConversation(
                    id: conversationID, createdAt: createdAt,
                    metadata: metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, items: items))
            return conversationID
        }
    }

    /// The ids of the live conversations.
    public func liveConversationIDs() async -> Set<String> {
        shared.withCore { $0.store.conversations.liveIDs }
    }
}
