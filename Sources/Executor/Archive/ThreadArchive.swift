import Foundation
import ThreadsAPI

/// The document archived for one thread: the thread and every message, as the API returned them.
public struct ThreadArchive: Sendable, Codable {
    /// Format version of this document.
    public var format: Int
    /// When it was archived (Unix seconds).
    public var archivedAt: Int64
    /// The rule and run that archived it before acting.
    public var rule: String
    public var run: Int64
    public var thread: ThreadObject
    /// Oldest first.
    public var messages: [MessageObject]

    public init(archivedAt: Int64, rule: String, run: Int64, thread: ThreadObject, messages: [MessageObject]) {
        self.format = 1
        self.archivedAt = archivedAt
        self.rule = rule
        self.run = run
        self.thread = thread
        self.messages = messages
    }

    enum CodingKeys: String, CodingKey {
        case format, rule, run, thread, messages
        case archivedAt = "archived_at"
    }

    /// The JSON document, keys sorted so equal archives are equal bytes.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// Fetches every message of `thread` (pages of 100, oldest first) and assembles the archive.
    static func fetch(
        thread: ThreadObject, client: ThreadsClient, rule: String, run: Int64, now: Int64
    ) async throws -> ThreadArchive {
        var messages: [MessageObject] = []
        var cursor: String?
        while true {
            let page = try await client.listMessages(threadID: thread.id, limit: 100, order: .ascending, after: cursor)
            messages += page.value.data
            guard page.value.hasMore, let last = page.value.lastID ?? page.value.data.last?.id, last != cursor else { break }
            cursor = last
        }
        return ThreadArchive(archivedAt: now, rule: rule, run: run, thread: thread, messages: messages)
    }
}
