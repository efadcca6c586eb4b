/// The systemd unit-file syntax shared by rule files and the config file.
///
/// Follows systemd.syntax(7): `[Section]` headers, `Key=Value` assignments with blanks
/// around `=` ignored, comments on lines starting with `#` or `;` (a `#` after a value
/// is part of the value), and "lines ending in a backslash are concatenated with the
/// following line while reading and the backslash is replaced by a space character".
/// A value may be quoted with `"` or `'` to keep blanks at its ends.
///
/// The parser never stops at a fault: it records a located `Diagnostic` and goes on with
/// the next line, so one run reports every fault in a file.
public enum UnitFile {
    /// Parses text; returns what could be read and every finding.
    public static func parse(text: String, file: String) -> (UnitFileDocument, [Diagnostic]) {
        var parser = Parser(file: file)
        parser.run(text)
        return (parser.document, parser.diagnostics)
    }

    /// Parses bytes; invalid UTF-8 is reported where it starts and read as U+FFFD.
    public static func parse(bytes: [UInt8], file: String) -> (UnitFileDocument, [Diagnostic]) {
        var parser = Parser(file: file)
        if let bad = firstInvalidUTF8(bytes) {
            let before = bytes[..<bad]
            let line = before.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            let column = String(decoding: bytes[lineStart..<bad], as: UTF8.self).unicodeScalars.count + 1
            parser.diagnostics.append(
                Diagnostic(
                    file: file, line: line, column: column,
                    message: "the file is not valid UTF-8 (byte 0x\(String(bytes[bad], radix: 16)) at offset \(bad)); save it as UTF-8"))
        }
        var bytes = bytes
        if let nul = bytes.firstIndex(of: 0) {
            // A NUL byte means a binary or mis-encoded file (UTF-16, say); it is reported once
            // and left out, so no later message echoes raw control bytes to a terminal.
            let before = bytes[..<nul]
            let line = before.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            let column = String(decoding: bytes[lineStart..<nul], as: UTF8.self).unicodeScalars.count + 1
            parser.diagnostics.append(
                Diagnostic(
                    file: file, line: line, column: column,
                    message: "the file has a NUL byte at offset \(nul), so it is not a text file; save it as UTF-8 text"))
            bytes.removeAll { $0 == 0 }
        }
        parser.run(String(decoding: bytes, as: UTF8.self))
        return (parser.document, parser.diagnostics)
    }

    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        var scalarStart = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                scalarStart = offset + UTF8.width(scalar)
                offset = scalarStart
            case .emptyInput:
                return nil
            case .error:
                return scalarStart
            }
        }
    }
}

/// Reads physical lines, joins continuations, and turns logical lines into entries.
struct Parser {
    let file: String
    var document: UnitFileDocument
    var diagnostics: [Diagnostic] = []
    private var currentSection: String?
    /// After a malformed header, assignments up to the next header belong to no known
    /// section; they are skipped without a finding of their own, which would only repeat the first.
    private var afterBrokenHeader = false

    /// A logical line being assembled from continued physical lines.
    private struct Logical {
        var scalars: [Unicode.Scalar] = []
        /// (offset in `scalars`, physical line, column of that offset).
        var segments: [(offset: Int, line: Int, column: Int)] = []
        var lastLine: Int = 0
    }
    private var pending: Logical?

    init(file: String) {
        self.file = file
        self.document = UnitFileDocument(file: file)
    }

    mutating func run(_ text: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var lineNumber = 0
        var start = 0
        while start <= scalars.count {
            var end = start
            while end < scalars.count && scalars[end] != "\n" { end += 1 }
            if end == scalars.count && start == end && start > 0 { break }  // text ended with "\n"
            lineNumber += 1
            var line = scalars[start..<end]
            if line.last == "\r" { line = line.dropLast() }
            physicalLine(Array(line), number: lineNumber)
            start = end + 1
        }
        if let logical = pending {
            pending = nil
            let location = SourceLocation(file: file, line: logical.lastLine, column: 1)
            diagnostics.append(
                Diagnostic(
                    at: location, severity: .warning, "the file ends inside a line continuation; remove the trailing `\\`"))
            process(logical)
        }
    }

    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" || scalar == "\r" }

    private mutating func physicalLine(_ line: [Unicode.Scalar], number: Int) {
        var leading = 0
        while leading < line.count && Self.isBlank(line[leading]) { leading += 1 }
        let content = line[leading...]
        if content.isEmpty {
            if let logical = pending {
                pending = nil
                process(logical)
            }
            return
        }
        if content.first == "#" || content.first == ";" { return }  // comments are skipped, even inside a continuation
        var logical = pending ?? Logical()
        logical.segments.append((logical.scalars.count, number, leading + 1))
        logical.scalars.append(contentsOf: content)
        logical.lastLine = number
        var backslashes = 0
        for scalar in content.reversed() {
            if scalar == "\\" { backslashes += 1 } else { break }
        }
        if backslashes % 2 == 1 {
            logical.scalars[logical.scalars.count - 1] = " "
            pending = logical
            return
        }
        pending = nil
        process(logical)
    }

    private func location(_ logical: Logical, _ offset: Int) -> SourceLocation {
        let segment = logical.segments.last { $0.offset <= offset } ?? logical.segments[0]
        return SourceLocation(file: file, line: segment.line, column: segment.column + offset - segment.offset)
    }

    private static func display(_ scalars: ArraySlice<Unicode.Scalar>, limit: Int = 48) -> String {
        var text = String(String.UnicodeScalarView(scalars.prefix(limit)))
        if scalars.count > limit { text += "…" }
        return text
    }

    private mutating func process(_ logical: Logical) {
        var end = logical.scalars.count
        while end > 0 && Self.isBlank(logical.scalars[end - 1]) { end -= 1 }
        let text = logical.scalars[..<end]
        let start = location(logical, 0)
        if text.first == "[" {
            guard text.count >= 2, text.last == "]" else {
                diagnostics.append(
                    Diagnostic(
                        at: start, "`\(Self.display(text))` is not a section header; a header is a line `[Name]` and nothing else"))
                currentSection = nil
                afterBrokenHeader = true
                return
            }
            let name = String(String.UnicodeScalarView(text.dropFirst().dropLast()))
            if name.isEmpty {
                diagnostics.append(Diagnostic(at: start, "empty section header `[]`; name the section, as in `[Rule]`"))
                currentSection = nil
                afterBrokenHeader = true
                return
            }
            currentSection = name
            afterBrokenHeader = false
            document.sections.append(UnitFileSection(name: name, location: start))
            return
        }
        guard let equals = text.firstIndex(of: "=") else {
            diagnostics.append(
                Diagnostic(at: start, "expected `Key=Value`, got `\(Self.display(text))`; comments start with `#` or `;` at the line start")
            )
            return
        }
        var keyEnd = equals
        while keyEnd > 0 && Self.isBlank(text[keyEnd - 1]) { keyEnd -= 1 }
        let key = String(String.UnicodeScalarView(text[..<keyEnd]))
        if key.isEmpty {
            diagnostics.append(Diagnostic(at: start, "missing key before `=` in `\(Self.display(text))`"))
            return
        }
        guard let section = currentSection else {
            if !afterBrokenHeader {
                diagnostics.append(
                    Diagnostic(
                        at: start, "assignment to `\(key)` stands outside any section; add a section header such as `[Rule]` above it"))
            }
            return
        }
        var valueStart = equals + 1
        while valueStart < text.count && Self.isBlank(text[valueStart]) { valueStart += 1 }
        let raw = text[valueStart...]
        let valueLocation = location(logical, valueStart)
        var value = String(String.UnicodeScalarView(raw))
        var quoted = false
        if let quote = raw.first, quote == "\"" || quote == "'" {
            switch Self.unquote(raw) {
            case .success(let unquoted):
                value = unquoted
                quoted = true
            case .failure(let fault):
                let at = location(logical, valueStart + fault.offset)
                diagnostics.append(Diagnostic(at: at, fault.message(key: key, quote: quote)))
                return
            }
        }
        document.entries.append(
            UnitFileEntry(
                section: section, key: key, value: value, keyLocation: start, valueLocation: valueLocation, wasQuoted: quoted))
    }

    struct QuoteFault: Error {
        enum Kind { case unterminated, trailing }
        var kind: Kind
        var offset: Int
        func message(key: String, quote: Unicode.Scalar) -> String {
            switch kind {
            case .unterminated: "unterminated quote in the value of `\(key)`; close it with \(quote)"
            case .trailing: "text after the closing quote in the value of `\(key)`; quote the whole value or none of it"
            }
        }
    }

    /// Resolves `"…"` or `'…'` with the escapes `\\`, `\"`, `\'`, `\n`, `\t`.
    static func unquote(_ raw: ArraySlice<Unicode.Scalar>) -> Result<String, QuoteFault> {
        let scalars = Array(raw)
        let quote = scalars[0]
        var out = String.UnicodeScalarView()
        var index = 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" && index + 1 < scalars.count {
                let next = scalars[index + 1]
                switch next {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\\", "\"", "'": out.append(next)
                default:
                    out.append(scalar)
                    out.append(next)
                }
                index += 2
                continue
            }
            if scalar == quote {
                if index + 1 < scalars.count { return .failure(QuoteFault(kind: .trailing, offset: index + 1)) }
                return .success(String(out))
            }
            out.append(scalar)
            index += 1
        }
        return .failure(QuoteFault(kind: .unterminated, offset: 0))
    }
}
