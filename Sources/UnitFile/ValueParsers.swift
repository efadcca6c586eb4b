import Foundation

/// Value syntaxes shared by rule and config files, as systemd reads them.
public enum ValueParsers {
    /// systemd's booleans: "1, yes, true and on" or "0, no, false and off" (systemd.syntax(7)).
    public static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "yes", "y", "true", "t", "on": true
        case "0", "no", "n", "false", "f", "off": false
        default: nil
        }
    }

    /// A whole number without sign or blanks.
    public static func positiveInteger(_ text: String) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), value > 0 else { return nil }
        return value
    }

    /// A decimal number greater than zero (`5`, `0.5`).
    public static func positiveNumber(_ text: String) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(text), value > 0,
            value.isFinite
        else { return nil }
        return value
    }

    /// A percentage `25%` or `25` or `12.5%`, in (0, 100].
    public static func percentage(_ text: String) -> Double? {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let value = positiveNumber(number), value <= 100 else { return nil }
        return value
    }

    /// Space-separated words, as systemd list settings take them.
    public static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    /// Formats a number without a trailing `.0`.
    public static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
