/// The API's metadata limits, checked before a request is sent.
///
/// At most 16 keys, keys up to 64 characters, values up to 512; the server answers 400 to
/// anything larger, so checking locally saves a request and gives a clearer message.
public enum MetadataLimits {
    public static let maximumKeys = 16
    public static let maximumKeyLength = 64
    public static let maximumValueLength = 512

    /// Throws an `APIError` of kind `.invalidRequest` naming the first key or value over a limit.
    public static func validate(_ metadata: [String: String]) throws {
        func refuse(_ message: String, code: String) -> APIError {
            APIError(kind: .invalidRequest, code: code, param: "metadata", message: message)
        }
        if metadata.count > maximumKeys {
            throw refuse(
                "metadata has \(metadata.count) keys; the api allows at most \(maximumKeys): remove some",
                code: "object_above_max_properties")
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            if key.isEmpty { throw refuse("metadata key is empty", code: "invalid_key") }
            if key.count > maximumKeyLength {
                throw refuse(
                    "metadata key '\(key.prefix(80))' is \(key.count) characters; keys may have at most \(maximumKeyLength)",
                    code: "string_above_max_length")
            }
            if value.count > maximumValueLength {
                throw refuse(
                    "metadata value of '\(key)' is \(value.count) characters; values may have at most \(maximumValueLength)",
                    code: "string_above_max_length")
            }
        }
    }
}
