// Literals, so a value reads like the JSON it stands for: `["ok": true, "files": 2]`.
extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// An object with the members in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}

// Conversions from Swift values, so `--json` output and logs are built from typed values:
// `"matched": .init(plan.matched)`, with nil as `null`.
extension JSONValue {
    public init(_ text: String) { self = .string(text) }

    public init(_ flag: Bool) { self = .bool(flag) }

    public init(_ number: Int) { self = .integer(number) }

    public init(_ number: Int64) { self = .integer(number) }

    public init(_ number: Int32) { self = .integer(Int64(number)) }

    /// A number; `null` for infinities and NaN.
    public init(_ number: Double) { self = .double(number) }

    public init(_ texts: [String]) { self = .array(texts.map(JSONValue.string)) }

    /// An object with the members in byte order of their keys.
    public init(_ map: [String: String]) { self = .object(sorting: map.mapValues(JSONValue.string)) }

    /// An object with the members in byte order of their keys.
    public init(_ map: [String: Int]) { self = .object(sorting: map.mapValues { .integer($0) }) }

    /// An object with the members in byte order of their keys.
    public init(_ map: [String: JSONValue]) { self = .object(sorting: map) }

    public init(_ values: [JSONValue]) { self = .array(values) }

    /// A string, or `null` for nil.
    public init(_ text: String?) { self = text.map(JSONValue.string) ?? .null }

    /// A flag, or `null` for nil.
    public init(_ flag: Bool?) { self = flag.map(JSONValue.bool) ?? .null }

    /// An integer, or `null` for nil.
    public init(_ number: Int?) { self = number.map { .integer($0) } ?? .null }

    /// An integer, or `null` for nil.
    public init(_ number: Int64?) { self = number.map { .integer($0) } ?? .null }

    /// A number, or `null` for nil.
    public init(_ number: Double?) { self = number.map(JSONValue.double) ?? .null }
}
