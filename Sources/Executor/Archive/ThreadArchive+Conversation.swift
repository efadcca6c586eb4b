import Foundation
import Ledger
import ThreadsAPI

extension ThreadArchive {
    /// Fetches every page of a conversation's items (100 a page, oldest first) and returns the
    /// archive document of the conversation's answer and those pages, as received:
    ///
    ///     {"format":2,"archived_at":…,"rule":"…","run":…,"object":"conversation",
    ///     "conversation":<GET /conversations/{id}, as received>,
    ///     "item_pages":[
    ///     <GET /conversations/{id}/items?limit=100&order=asc, as received>,
    ///     …]}
    static func fetchConversation(
        conversation: APIResponse<ThreadObject>, client: ThreadsClient, rule: String, run: Int64, now: Int64
    ) async throws -> [UInt8] {
        var pages: [Data] = []
        var cursor: String?
        while true {
            let page = try await client.listConversationItems(conversation.value.id, limit: 100, order: .ascending, after: cursor)
            pages.append(page.body)
            guard page.value.hasMore, let last = page.value.lastID ?? page.value.itemIDs.last ?? nil, last != cursor else { break }
            cursor = last
        }
        return try conversationDocument(
            archivedAt: now, rule: rule, run: run, conversation: conversation.body, pages: pages)
    }

    /// The format-2 document of a conversation: its answer and its item pages, verbatim.
    public static func conversationDocument(archivedAt: Int64, rule: String, run: Int64, conversation: Data, pages: [Data])
        throws -> [UInt8]
    {
        try embed(
            archivedAt: archivedAt, rule: rule, run: run, object: ("conversation", "the conversation", conversation),
            pages: ("item_pages", "item page", pages), kind: "conversation")
    }
}

extension APIObjectKind {
    /// The API's collection of a ledger row's kind.
    public init(_ kind: ObjectKind) {
        switch kind {
        case .thread: self = .thread
        case .conversation: self = .conversation
        }
    }
}
