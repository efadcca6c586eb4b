/// A journald `MESSAGE_ID`: a fixed 128-bit id naming one kind of event.
///
/// Each constant is documented in `systemd/threadkeeper.catalog`, so `journalctl -x` explains
/// the entry and `journalctl MESSAGE_ID=…` finds every event of that kind. The ids never change
/// once shipped: log shippers and alerts match on them.
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    /// 32 lower-case hexadecimal digits, the form journald stores and `journalctl` matches.
    public let hex: String

    /// Accepts 32 hexadecimal digits (upper or lower case); anything else is nil.
    public init?(hex text: String) {
        let lowered = text.lowercased()
        guard lowered.utf8.count == 32, lowered.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        hex = lowered
    }

    private init(constant: String) {
        guard let id = MessageID(hex: constant) else { preconditionFailure("malformed MessageID constant \(constant)") }
        self = id
    }

    public var description: String { hex }

    /// The daemon finished starting (ledger open, intents reconciled, rules loaded) and sent `READY=1`.
    public static let daemonStarted = MessageID(constant: "98ce01106ea54a49ab405c7abbf7a069")
    /// The rules directory was (re)loaded; the entry counts the rules in force.
    public static let rulesLoaded = MessageID(constant: "ce7b23a8469848768738e49ae65809e3")
    /// A rule file failed to load; it does not run (or keeps its last good version on reload).
    public static let ruleRejected = MessageID(constant: "b464ef415835491cb9f1626f79146302")
    /// A run of a rule started.
    public static let runStarted = MessageID(constant: "eb75de64418c4f5b92fa03806a297501")
    /// A run of a rule finished, with its counts.
    public static let runFinished = MessageID(constant: "26bfc44d609a4927a936cf4b1649dafd")
    /// A run was refused or stopped by a guard, the breaker or a signal.
    public static let runAborted = MessageID(constant: "51109de2b15349ce86a4a42cb587b41c")
    /// One action on one thread failed.
    public static let actionFailed = MessageID(constant: "b6258a5e2d8b484fb87faad1fdb48ea8")
    /// The breaker opened: the API answers as if the key, base URL or provider were wrong.
    public static let breakerOpened = MessageID(constant: "6e511bbbbad041509ecddd4c4c0337e9")
    /// A run ended: the ledger's hash chain head (rows and hash) as it stood, so a later cut shows.
    public static let chainHead = MessageID(constant: "58537520032640069440dbad0e47df06")
    /// A setup check (`doctor`'s, run by the daemon after start and reload) failed or warned, or all passed.
    public static let setupCheck = MessageID(constant: "02470e4910d94098bc65d31402fa170b")

    /// Every constant with its name, in the order the catalog documents them.
    public static let all: [(name: String, id: MessageID)] = [
        ("daemonStarted", daemonStarted), ("rulesLoaded", rulesLoaded), ("ruleRejected", ruleRejected),
        ("runStarted", runStarted), ("runFinished", runFinished), ("runAborted", runAborted),
        ("actionFailed", actionFailed), ("breakerOpened", breakerOpened), ("chainHead", chainHead),
        ("setupCheck", setupCheck),
    ]
}
