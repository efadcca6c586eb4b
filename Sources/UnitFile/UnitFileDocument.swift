/// One `Key=Value` assignment, with where its key and value stand.
public struct UnitFileEntry: Sendable, Hashable {
    /// The section it belongs to, without brackets.
    public var section: String
    public var key: String
    /// The value with surrounding whitespace removed and quotes resolved.
    public var value: String
    /// Where the key starts.
    public var keyLocation: SourceLocation
    /// Where the value starts (just after `=` and any blanks).
    public var valueLocation: SourceLocation
    /// Whether the value was written in quotes; a quoted value maps to columns only approximately.
    public var wasQuoted: Bool

    public init(
        section: String, key: String, value: String, keyLocation: SourceLocation, valueLocation: SourceLocation,
        wasQuoted: Bool = false
    ) {
        self.section = section
        self.key = key
        self.value = value
        self.keyLocation = keyLocation
        self.valueLocation = valueLocation
        self.wasQuoted = wasQuoted
    }

    /// The location of the character `offset` scalars into the value (for faults inside it).
    public func location(atValueOffset offset: Int) -> SourceLocation {
        var location = valueLocation
        location.column += offset + (wasQuoted ? 1 : 0)
        return location
    }
}

/// A `[Name]` header.
public struct UnitFileSection: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
}

/// A parsed file: its section headers and its assignments in file order.
///
/// As in systemd, a section may appear more than once; its assignments accumulate.
public struct UnitFileDocument: Sendable, Hashable {
    public var file: String
    public var sections: [UnitFileSection]
    public var entries: [UnitFileEntry]

    public init(file: String, sections: [UnitFileSection] = [], entries: [UnitFileEntry] = []) {
        self.file = file
        self.sections = sections
        self.entries = entries
    }

    /// Whether a `[name]` header appears.
    public func hasSection(_ name: String) -> Bool { sections.contains { $0.name == name } }

    /// The first `[name]` header, for findings about the section as a whole.
    public func sectionLocation(_ name: String) -> SourceLocation? { sections.first { $0.name == name }?.location }

    /// Every assignment to `key` in `section`, in order, without reset semantics.
    public func assignments(_ key: String, in section: String) -> [UnitFileEntry] {
        entries.filter { $0.section == section && $0.key == key }
    }

    /// The effective value of a single-valued key: the last assignment; an empty one means unset.
    public func value(_ key: String, in section: String) -> UnitFileEntry? {
        guard let last = assignments(key, in: section).last, !last.value.isEmpty else { return nil }
        return last
    }

    /// The effective list of a repeatable key: every assignment after the last empty one.
    ///
    /// "If the empty string is assigned to this option, the list is reset and all prior
    /// assignments will have no effect" (systemd.exec(5) and friends).
    public func values(_ key: String, in section: String) -> [UnitFileEntry] {
        var list: [UnitFileEntry] = []
        for entry in assignments(key, in: section) {
            if entry.value.isEmpty { list.removeAll() } else { list.append(entry) }
        }
        return list
    }
}
