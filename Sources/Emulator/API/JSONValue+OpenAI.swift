import JSON

extension JSONValue {
    /// The name OpenAI's validation errors use for the type of a value ("a string", "an object").
    ///
    /// A number written as an integer that fits 64 bits is "an integer"; any other number
    /// (a fraction, an exponent, an integer too large) is "a decimal".
    var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let number): return number.int64Value == nil ? "a decimal" : "an integer"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
