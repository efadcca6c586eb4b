import Foundation
import JSON

extension APIProvider {
    /// Whether an answer is this provider's "no such object" for one of `ids`: the only 404
    /// that proves a thread (or message) is gone.
    ///
    /// OpenAI answers `404 {"error":{"message":"No thread found with id 'ID'.","type":
    /// "invalid_request_error",…}}` (for a conversation: `"Conversation with id 'ID' not
    /// found."`, with `param` and `code` null), and the emulator and `custom` providers are held to the
    /// same words. AI/ML API's documentation describes its error body (`{"message","path",
    /// "requestId","statusCode","timestamp"}`) but not what it answers for an unknown thread, so
    /// only the same sentence is accepted there, in either envelope. Anything else that comes
    /// with a 404 (`Invalid URL (…)`, an HTML page, an empty body, another shape or another
    /// id) says that the base URL does not lead to the Threads API, not that the object is gone.
    public func provesNotFound(status: Int, body: Data, ids: [String]) -> Bool {
        guard status == 404, !ids.isEmpty, body.count <= 4096,
            let top = try? JSONParser.parse(body), case .object = top
        else { return false }
        let message: String
        if let error = top["error"], case .object = error, case .string(let text)? = error["message"] {
            if let type = error["type"], type != .string("invalid_request_error") { return false }
            message = text
        } else if self == .aimlapi, case .string(let text)? = top["message"] {
            if let code = top["statusCode"], code != .integer(404), code != .string("404") { return false }
            message = text
        } else {
            return false
        }
        return ids.contains { id in
            message == "No thread found with id '\(id)'." || message == "No message found with id '\(id)'."
                || message == "Conversation with id '\(id)' not found."
        }
    }

    /// The id the read-only probe asks for: well-formed (`thread_` and 24 letters and digits,
    /// like OpenAI's) and never issued, since real ids are random and never spell a word.
    public static let probeThreadID = "thread_threadkeeperprobe0000000"
    /// The conversation the probe asks for: `conv_` and 48 hex digits like OpenAI's (the hex of "threadkeeperprobe", then zeros), never issued.
    public static let probeConversationID = "conv_7468726561646b656570657270726f626500000000000000"

    /// Why this provider cannot manage threads, or nil when it can: OpenAI shut its Threads
    /// API down, so a thread rule or command against it stops before any call.
    public var threadsRefusal: String? {
        guard self == .openai else { return nil }
        return "Provider=openai no longer serves threads: OpenAI shut the Threads API down on 2026-08-26 "
            + "(every /v1/threads call answers 404); its successor, conversations, is managed with `Object=conversation` "
            + "in a rule and `--object conversation` (or a conv_ id) on the command line"
    }
}
