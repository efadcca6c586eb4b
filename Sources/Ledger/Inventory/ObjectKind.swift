/// The kind of API object a ledger row stands for: a thread (the Assistants API's
/// `/threads`) or a conversation (OpenAI's Conversations API, `/conversations`).
///
/// Both live in the table `threads` (its name is a public contract), each row with its kind
/// in the column `object`; the raw values are the API's `"object"` names. Ids are unique
/// across kinds: the ledger keys every row by its id alone.
public enum ObjectKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case thread
    case conversation

    /// The kind an id's prefix names (`conv_` → conversation, `thread_` → thread), nil for
    /// any other id: ids are opaque, and only these prefixes are the API's own.
    public init?(idPrefixOf id: String) {
        if id.hasPrefix("conv_") {
            self = .conversation
        } else if id.hasPrefix("thread_") {
            self = .thread
        } else {
            return nil
        }
    }

    /// The kind of an id whose kind nothing else says: a conversation when it starts with
    /// `conv_`, otherwise a thread (every ledger before conversations held only threads).
    public static func inferred(from id: String) -> ObjectKind { ObjectKind(idPrefixOf: id) ?? .thread }

    /// The noun used in messages ("thread", "conversation").
    public var noun: String { rawValue }

    public static func < (lhs: ObjectKind, rhs: ObjectKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
