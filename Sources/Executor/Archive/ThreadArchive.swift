import Foundation
import JSON
import ThreadsAPI

/// The document archived for one thread before a delete: the API's answers, byte for byte.
///
/// Format 2 (written now) embeds the body of the thread's GET and of every page of its
/// messages verbatim, as JSON values inside one JSON document:
///
///     {"format":2,"archived_at":…,"rule":"…","run":…,
///     "thread":<GET /threads/{id}, as received>,
///     "message_pages":[
///     <GET /threads/{id}/messages?limit=100&order=asc, as received>,
///     …]}
///
/// Nothing is decoded and re-encoded on the way, so every field the API sends (attachments,
/// annotations, image files, status fields, fields added later) is kept whatever the client's
/// models know. Format 1 (written before) held the thread and messages as threadkeeper's models
/// re-encoded them; it is still read. Decoding gives the typed view of either format, for
/// transcripts and tests.
public struct ThreadArchive: Sendable, Decodable {
    /// The format this version writes.
    public static let currentFormat = 2

    /// Format version of this document: 1 (models re-encoded) or 2 (answers as received).
    public var format: Int
    /// When it was archived (Unix seconds).
    public var archivedAt: Int64
    /// The rule and run that archived it before acting.
    public var rule: String
    public var run: Int64
    /// The thread, or the conversation when `object` is `conversation`.
    public var thread: ThreadObject
    /// Oldest first.
    public var messages: [MessageObject]
    /// What was archived: `thread`, or `conversation` (`ThreadArchive+Conversation.swift`).
    public var object: String
    /// A conversation's items as received, oldest first; empty for a thread.
    public var items: [JSONValue]

    enum CodingKeys: String, CodingKey {
        case format, rule, run, thread, messages, object, conversation
        case archivedAt = "archived_at"
        case messagePages = "message_pages"
        case itemPages = "item_pages"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decodeIfPresent(Int.self, forKey: .format) ?? 1
        guard (1...Self.currentFormat).contains(format) else {
            throw DecodingError.dataCorruptedError(
                forKey: .format, in: container,
                debugDescription: "format \(format) is newer than this threadkeeper reads (up to \(Self.currentFormat))")
        }
        archivedAt = try container.decode(Int64.self, forKey: .archivedAt)
        rule = try container.decode(String.self, forKey: .rule)
        run = try container.decode(Int64.self, forKey: .run)
        object = try container.decodeIfPresent(String.self, forKey: .object) ?? "thread"
        items = []
        if object == "conversation" {
            thread = try container.decode(ThreadObject.self, forKey: .conversation)
            messages = []
            items = try container.decode([ConversationItemList].self, forKey: .itemPages).flatMap(\.data)
            return
        }
        thread = try container.decode(ThreadObject.self, forKey: .thread)
        if format >= 2 {
            messages = try container.decode([MessageList].self, forKey: .messagePages).flatMap(\.data)
        } else {
            messages = try container.decode([MessageObject].self, forKey: .messages)
        }
    }

    /// Reads an archive document of any format this version knows.
    public static func decode(_ document: [UInt8]) throws -> ThreadArchive {
        do {
            return try JSONDecoder().decode(ThreadArchive.self, from: Data(document))
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, !context.codingPath.isEmpty {
                throw ArchiveError.damaged(context.debugDescription)
            }
            throw ArchiveError.damaged("not an archive document (\(Self.describe(error)))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "field '\(key.stringValue)' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case .dataCorrupted: "not json"
        @unknown default: "not json"
        }
    }

    /// The format-2 document holding `thread` and `pages`, the answers' bodies as received.
    ///
    /// Each body must be one UTF-8 JSON object (as every answer the client accepted is), so
    /// that it can stand verbatim as a value of the document; anything else is refused rather
    /// than stored altered, and the thread is then not deleted.
    public static func document(archivedAt: Int64, rule: String, run: Int64, thread: Data, pages: [Data]) throws -> [UInt8] {
        try embed(
            archivedAt: archivedAt, rule: rule, run: run, object: ("thread", "the thread", thread),
            pages: ("message_pages", "message page", pages), kind: nil)
    }

    /// One document: the object's raw answer and its list pages as the API sent them, under
    /// `object.key` and `pages.key`; `kind` (`"object"`) is written for a non-thread.
    static func embed(
        archivedAt: Int64, rule: String, run: Int64, object: (key: String, what: String, data: Data),
        pages: (key: String, what: String, data: [Data]), kind: String?
    ) throws -> [UInt8] {
        try checkEmbeddable(object.data, what: object.what)
        for (index, page) in pages.data.enumerated() { try checkEmbeddable(page, what: "\(pages.what) \(index + 1)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var out: [UInt8] = []
        out.reserveCapacity(object.data.count + pages.data.reduce(0) { $0 + $1.count + 2 } + 128 + rule.utf8.count)
        out += Array("{\"format\":\(currentFormat),\"archived_at\":\(archivedAt),\"rule\":".utf8)
        out += Array(try encoder.encode(rule))
        out += Array(",\"run\":\(run),".utf8)
        if let kind { out += Array("\"object\":\"\(kind)\",".utf8) }
        out += Array("\n\"\(object.key)\":".utf8)
        out += object.data
        out += Array(",\n\"\(pages.key)\":[".utf8)
        for (index, page) in pages.data.enumerated() {
            out += Array((index == 0 ? "\n" : ",\n").utf8)
            out += page
        }
        out += Array("]}\n".utf8)
        return out
    }

    /// The nesting limit is Foundation's, which this check used before: what the API nests
    /// (message content parts, annotations) is archived as it was.
    static func checkEmbeddable(_ body: Data, what: String) throws {
        let first = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        guard first == UInt8(ascii: "{"), String(validating: body, as: UTF8.self) != nil,
            case .object? = try? JSONParser.parse(body, limits: JSONLimits(depth: 512))
        else {
            throw ArchiveError.unarchivable("\(what) as the API returned it is not one UTF-8 JSON object")
        }
    }

    /// Fetches every page of `thread`'s messages (100 a page, oldest first) and returns the
    /// archive document of the thread's answer and those pages, as received.
    static func fetch(
        thread: APIResponse<ThreadObject>, client: ThreadsClient, rule: String, run: Int64, now: Int64
    ) async throws -> [UInt8] {
        var pages: [Data] = []
        var cursor: String?
        while true {
            let page = try await client.listMessages(threadID: thread.value.id, limit: 100, order: .ascending, after: cursor)
            pages.append(page.body)
            guard page.value.hasMore, let last = page.value.lastID ?? page.value.data.last?.id, last != cursor else { break }
            cursor = last
        }
        return try document(archivedAt: now, rule: rule, run: run, thread: thread.body, pages: pages)
    }
}
