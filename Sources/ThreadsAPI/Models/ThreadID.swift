/// Checks object ids before they become part of a URL path.
///
/// Ids are opaque, but every provider makes them of letters, digits, `_` and `-`
/// (OpenAI: `thread_` + 24 alphanumerics). Anything else (`/`, `..`, `?`, `#`, `%`,
/// whitespace, control characters, non-ASCII) is refused locally, so no input can reach
/// another path or smuggle a query.
public enum ThreadID {
    /// The longest id accepted; OpenAI's are 31 characters.
    public static let maximumLength = 128

    /// Returns `id` when it is safe in a path; throws an `APIError` of kind `.invalidID` otherwise.
    @discardableResult
    public static func validate(_ id: String, kind: String = "thread") throws -> String {
        if let problem = problem(with: id) {
            throw APIError(
                kind: .invalidID,
                message: "\(kind) id '\(printable(id))' \(problem); ids are letters, digits, '_' and '-'")
        }
        return id
    }

    /// Whether `id` passes `validate`.
    public static func isValid(_ id: String) -> Bool { problem(with: id) == nil }

    static func problem(with id: String) -> String? {
        if id.isEmpty { return "is empty" }
        if id.utf8.count > maximumLength { return "is longer than \(maximumLength) characters" }
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return "contains a character not allowed in an id"
            }
        }
        return nil
    }

    /// The id with control characters escaped, so an error message stays one readable line.
    static func printable(_ id: String) -> String {
        let limited = id.count > 80 ? String(id.prefix(80)) + "…" : id
        var out = ""
        for scalar in limited.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
