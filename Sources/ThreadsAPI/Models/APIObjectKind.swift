/// Which collection of the API a call addresses: the Assistants API's threads or OpenAI's
/// conversations (their successor). The two have the same retention problem and nearly the
/// same shape (`{"id","object","created_at","metadata"}`, a DELETE that answers
/// `{"deleted":true}`), so one client call serves both, by path.
///
/// The raw values are the API's `"object"` names, as the ledger's kinds are.
public enum APIObjectKind: String, Sendable, Hashable, CaseIterable {
    case thread
    case conversation

    /// The path of the collection under the base URL.
    public var collection: String {
        switch self {
        case .thread: "/threads"
        case .conversation: "/conversations"
        }
    }

    /// The id the read-only probe asks for.
    public var probeID: String {
        switch self {
        case .thread: APIProvider.probeThreadID
        case .conversation: APIProvider.probeConversationID
        }
    }
}
