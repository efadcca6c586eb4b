import Foundation

/// A successful call's value with what the ledger records about it.
public struct APIResponse<Value: Sendable>: Sendable {
    public var value: Value
    /// The HTTP status of the answer (404 for a DELETE that found the thread gone).
    public var status: Int
    /// `x-request-id` of the answer.
    public var requestID: String?
    /// How many times the request was sent, retries included.
    public var attempts: Int
    /// The answer's body exactly as received, for callers that must keep what the API sent
    /// beyond the fields `value` reads (an archive); empty when the value is derived.
    public var body: Data

    public init(value: Value, status: Int, requestID: String?, attempts: Int, body: Data = Data()) {
        self.value = value
        self.status = status
        self.requestID = requestID
        self.attempts = attempts
        self.body = body
    }
}
