/// The sections and keys a kind of file accepts, for unknown-name findings with hints.
public struct UnitFileSchema: Sendable {
    public struct Key: Sendable, Hashable {
        public var name: String
        /// A list key: each assignment adds, an empty one resets. Otherwise the last one wins.
        public var repeatable: Bool

        public init(_ name: String, repeatable: Bool = false) {
            self.name = name
            self.repeatable = repeatable
        }
    }

    public struct Section: Sendable {
        public var name: String
        public var keys: [Key]

        public init(_ name: String, keys: [Key]) {
            self.name = name
            self.keys = keys
        }

        public func key(_ name: String) -> Key? { keys.first { $0.name == name } }
    }

    public var sections: [Section]

    public init(_ sections: [Section]) { self.sections = sections }

    public func section(_ name: String) -> Section? { sections.first { $0.name == name } }

    /// Findings for unknown sections, unknown keys and single-valued keys set more than once.
    ///
    /// An unknown section is reported once at its header; its assignments are not reported again.
    public func check(_ document: UnitFileDocument) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let sectionNames = sections.map(\.name)
        for header in document.sections where section(header.name) == nil {
            let hint = Spelling.hint(
                for: header.name, among: sectionNames, kind: "sections", quote: { "`[\($0)]`" }, listed: { "[\($0)]" })
            diagnostics.append(Diagnostic(at: header.location, "unknown section `[\(header.name)]`\(hint)"))
        }
        var lastAssignment: [String: UnitFileEntry] = [:]
        for entry in document.entries {
            guard let known = section(entry.section) else { continue }
            guard let key = known.key(entry.key) else {
                let hint = Spelling.hint(for: entry.key, among: known.keys.map(\.name), kind: "keys")
                diagnostics.append(Diagnostic(at: entry.keyLocation, "unknown key `\(entry.key)` in [\(entry.section)]\(hint)"))
                continue
            }
            let id = entry.section + "\u{0}" + entry.key
            if !key.repeatable, !entry.value.isEmpty, let earlier = lastAssignment[id], !earlier.value.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        at: earlier.keyLocation, severity: .warning,
                        "`\(entry.key)=` is set again on line \(entry.keyLocation.line) in [\(entry.section)]; the later value wins"))
            }
            lastAssignment[id] = entry
        }
        return diagnostics
    }
}
