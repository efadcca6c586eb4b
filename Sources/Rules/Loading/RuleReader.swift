import Ledger
import Schedule
import ThreadsAPI
import UnitFile

extension Rule {
    /// Reads one rule file's bytes; returns the rule when it has no errors, and every finding.
    ///
    /// `name` defaults to the file name without `.rule`. `now` resolves relative timestamps
    /// only to check them; compiling resolves them again for each run.
    public static func parse(
        bytes: [UInt8], file: String, name: String? = nil, hold: String = RuleSet.defaultHold,
        budget: RuleBudget? = nil, queryLimits: QueryLimits = QueryLimits(), now: Int64
    ) -> (Rule?, [Diagnostic]) {
        let (document, syntax) = UnitFile.parse(bytes: bytes, file: file)
        var reader = RuleReader(document: document, hold: hold, budget: budget, queryLimits: queryLimits, now: now)
        reader.diagnostics = syntax + RuleSchema.schema.check(document)
        let ruleName = name ?? Rule.name(forFile: file)
        reader.checkName(ruleName)
        let rule = reader.read(name: ruleName)
        if let rule, !reader.diagnostics.containsErrors { reader.checkLimits(rule) }
        let text = String(decoding: bytes, as: UTF8.self)
        guard var rule, !reader.diagnostics.containsErrors else { return (nil, reader.diagnostics) }
        rule.file = file
        rule.text = text
        rule.digest = SHA256.hex(of: bytes)
        return (rule, reader.diagnostics)
    }

    /// Reads rule text (tests and tools); the digest is of its UTF-8 bytes.
    public static func parse(
        text: String, file: String, name: String? = nil, hold: String = RuleSet.defaultHold,
        budget: RuleBudget? = nil, queryLimits: QueryLimits = QueryLimits(), now: Int64
    ) -> (Rule?, [Diagnostic]) {
        parse(bytes: Array(text.utf8), file: file, name: name, hold: hold, budget: budget, queryLimits: queryLimits, now: now)
    }

    /// `retention.rule` → `retention`.
    public static func name(forFile file: String) -> String {
        let base = file.split(separator: "/").last.map(String.init) ?? file
        return base.hasSuffix(".rule") ? String(base.dropLast(".rule".count)) : base
    }
}

/// Turns a parsed rule file into a `Rule`, collecting a finding for every bad value.
struct RuleReader {
    let document: UnitFileDocument
    let hold: String
    let budget: RuleBudget?
    let queryLimits: QueryLimits
    let now: Int64
    var diagnostics: [Diagnostic] = []

    init(document: UnitFileDocument, hold: String, budget: RuleBudget?, queryLimits: QueryLimits = QueryLimits(), now: Int64) {
        self.document = document
        self.hold = hold
        self.budget = budget
        self.queryLimits = queryLimits
        self.now = now
    }

    private mutating func error(_ entry: UnitFileEntry, offset: Int = 0, _ message: String) {
        diagnostics.append(Diagnostic(at: entry.location(atValueOffset: offset), message))
    }

    private mutating func warning(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(at: location, severity: .warning, message))
    }

    /// Where a finding about a whole section goes: its header, else the top of the file.
    private func anchor(_ section: String) -> SourceLocation {
        document.sectionLocation(section) ?? SourceLocation(file: document.file, line: 1, column: 1)
    }

    mutating func checkName(_ name: String) {
        let allowed = name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || ":_.-".unicodeScalars.contains($0)
        }
        if name.isEmpty || !allowed {
            diagnostics.append(
                .whole(
                    document.file,
                    "rule name `\(name)` (the file name without `.rule`) may hold only letters, digits and `:_.-`; rename the file"))
        }
    }

    mutating func read(name: String) -> Rule? {
        let action = readAction()
        var rule = Rule(name: name, action: action ?? .report)
        rule.description = document.value("Description", in: "Rule")?.value
        if let entry = document.value("Enabled", in: "Rule") {
            if let value = ValueParsers.boolean(entry.value) {
                rule.enabled = value
            } else {
                error(entry, "`Enabled=` takes a boolean (yes or no), got `\(entry.value)`")
            }
        }
        if let entry = document.value("Schedule", in: "Rule") {
            do {
                rule.schedule = try RuleSchedule(text: entry.value, location: entry.valueLocation)
            } catch {
                self.error(entry, "`Schedule=` takes a calendar event as `OnCalendar=` does: \(error)")
            }
        }
        rule.match = readMatch(action: action)
        rule.options = readOptions(action: action)
        rule.limits = readLimits()
        return action == nil ? nil : rule
    }

    private mutating func readAction() -> RuleAction? {
        guard let entry = document.value("Action", in: "Rule") else {
            diagnostics.append(
                Diagnostic(at: anchor("Rule"), "missing `Action=` in [Rule]; use one of: delete, tag, untag, report"))
            return nil
        }
        guard let action = RuleAction(rawValue: entry.value) else {
            let hint = Spelling.hint(for: entry.value, among: RuleAction.allCases.map(\.rawValue), kind: "actions")
            error(entry, "unknown action `\(entry.value)` for `Action=`\(hint)")
            return nil
        }
        return action
    }

    // MARK: [Match]

    private var writtenSpans: [String: String] = [:]

    private mutating func span(_ key: String, in section: String) -> TimeSpan? {
        guard let entry = document.value(key, in: section) else { return nil }
        do {
            let span = try TimeSpan.parse(entry.value)
            writtenSpans[key] = entry.value
            return span
        } catch {
            self.error(entry, "`\(key)=` takes a time span: \(error)")
            return nil
        }
    }

    private mutating func timestamp(_ key: String) -> String? {
        guard let entry = document.value(key, in: "Match") else { return nil }
        do {
            _ = try Timestamp.parse(entry.value, now: now)
            return entry.value
        } catch {
            self.error(entry, "`\(key)=` takes a timestamp: \(error)")
            return nil
        }
    }

    private mutating func readMatch(action: RuleAction?) -> RuleMatch {
        var match = RuleMatch()
        match.object = object()
        match.olderThan = span("OlderThan", in: "Match")
        match.newerThan = span("NewerThan", in: "Match")
        match.idleFor = span("IdleFor", in: "Match")
        match.activeWithin = span("ActiveWithin", in: "Match")
        match.createdBefore = timestamp("CreatedBefore")
        match.createdAfter = timestamp("CreatedAfter")
        match.writtenSpans = writtenSpans
        for entry in document.values("Metadata", in: "Match") {
            if let condition = metadataCondition(entry, action: action) { match.metadata.append(condition) }
        }
        match.sources = words("Source", ThreadSource.self)
        let states = words("State", ThreadState.self)
        if !states.isEmpty { match.states = states }
        if action == .delete, !match.narrows {
            diagnostics.append(
                Diagnostic(
                    at: anchor(document.hasSection("Match") ? "Match" : "Rule"),
                    "`Action=delete` with no condition in [Match] would delete every live \(match.object.noun); add one, "
                        + "such as `OlderThan=30d`"))
        }
        return match
    }

    /// `Object=thread|conversation`; threads when absent, so a rule written before
    /// conversations keeps its meaning.
    private mutating func object() -> ObjectKind {
        guard let entry = document.value("Object", in: "Match") else { return .thread }
        let word = entry.value
        if let kind = ObjectKind(rawValue: word) { return kind }
        let names = ObjectKind.allCases.map(\.rawValue)
        let hint =
            Spelling.nearest(to: word, among: names).map { "; did you mean `\($0)`?" }
            ?? "; use one of: " + names.joined(separator: ", ")
        error(entry, "unknown object `\(word)` for `Object=`\(hint)")
        return .thread
    }

    private mutating func metadataCondition(_ entry: UnitFileEntry, action: RuleAction?) -> MetadataCondition? {
        guard let condition = MetadataCondition.parse(entry.value) else {
            error(entry, "`Metadata=` needs a key, as in `Metadata=tag=support`, `Metadata=tenant` or `Metadata=!legal_hold`")
            return nil
        }
        let keyOffset = entry.value.hasPrefix("!") ? 1 : 0
        if condition.key.unicodeScalars.count > MetadataLimits.maximumKeyLength {
            error(
                entry, offset: keyOffset,
                "metadata key `\(condition.key)` in `Metadata=` is longer than \(MetadataLimits.maximumKeyLength) characters, so no thread has it"
            )
            return nil
        }
        switch condition.test {
        case .matches(let glob), .doesNotMatch(let glob):
            if let bad = glob.unterminatedSetOffset {
                let offset = keyOffset + condition.key.unicodeScalars.count + 1 + bad
                error(
                    entry, offset: offset,
                    "unterminated `[` in the pattern `\(glob.pattern)` of `Metadata=`; close the set with `]` (an open set never matches)")
                return nil
            }
        case .present, .absent: break
        }
        if case .matches(let glob) = condition.test,
            !checkPatternLength(glob, entry, at: keyOffset + condition.key.unicodeScalars.count + 1)
        {
            return nil
        }
        if case .doesNotMatch(let glob) = condition.test,
            !checkPatternLength(glob, entry, at: keyOffset + condition.key.unicodeScalars.count + 1)
        {
            return nil
        }
        if let action, action.changesThreads, condition.key == hold {
            switch condition.test {
            case .present, .matches:
                warning(
                    entry.keyLocation,
                    "`Metadata=\(condition)` can never match: threads carrying the hold key `\(hold)` are never touched by `Action=\(action.rawValue)`"
                )
            case .absent, .doesNotMatch: break
            }
        }
        return condition
    }

    /// Whether SQLite's GLOB takes the pattern; reports it when not.
    private mutating func checkPatternLength(_ glob: Glob, _ entry: UnitFileEntry, at offset: Int) -> Bool {
        let bytes = glob.pattern.utf8.count
        guard bytes > queryLimits.patternBytes else { return true }
        error(
            entry, offset: offset,
            "the pattern of `Metadata=` is \(bytes) bytes; SQLite's GLOB takes patterns of at most \(queryLimits.patternBytes) "
                + "bytes (SQLITE_LIMIT_LIKE_PATTERN_LENGTH) and refuses longer ones when the rule runs; shorten it "
                + "(a metadata value is at most \(MetadataLimits.maximumValueLength) characters)")
        return false
    }

    /// Refuses a rule whose statements SQLite would refuse to prepare (see `QueryLimits`).
    mutating func checkLimits(_ rule: Rule) {
        let values = rule.compile(now: now, hold: hold).query.boundValues
        let entries = document.values("Metadata", in: "Match")
        if values > queryLimits.variables {
            // The first `Metadata=` line that no longer fits: the longest prefix that does.
            var fits = 0
            var tooMany = rule.match.metadata.count
            while fits < tooMany {
                let middle = (fits + tooMany + 1) / 2
                var prefix = rule
                prefix.match.metadata = Array(rule.match.metadata.prefix(middle))
                if prefix.compile(now: now, hold: hold).query.boundValues <= queryLimits.variables {
                    fits = middle
                } else {
                    tooMany = middle - 1
                }
            }
            let message =
                "`[Match]` makes a run bind \(values) values in one SQL statement; SQLite binds at most "
                + "\(queryLimits.variables) (SQLITE_LIMIT_VARIABLE_NUMBER). A run counts matches with the conditions "
                + "twice, and each `Metadata=key=glob` binds two values there: the first \(fits) `Metadata=` lines "
                + "fit, so move the rest (from this line on) into another rule"
            if entries.count == rule.match.metadata.count, fits < entries.count {
                error(entries[fits], message)
            } else {
                diagnostics.append(Diagnostic(at: anchor("Match"), message))
            }
        }
        let conditions = rule.compile(now: now, hold: hold).conditions.count
        let depth = QueryLimits.expressionDepth(conditions: conditions)
        if depth > queryLimits.expressionDepth {
            diagnostics.append(
                Diagnostic(
                    at: anchor("Match"),
                    "`[Match]` has \(conditions) conditions, whose SQL expression may be \(depth) levels deep; this SQLite "
                        + "allows \(queryLimits.expressionDepth) (SQLITE_LIMIT_EXPR_DEPTH); split the rule"))
        }
    }

    private mutating func words<Value: RawRepresentable & CaseIterable>(_ key: String, _ type: Value.Type) -> [Value]
    where Value.RawValue == String {
        let allowed = Value.allCases
        var out: [Value] = []
        let names = allowed.map(\.rawValue)
        for entry in document.values(key, in: "Match") {
            var offset = 0
            for word in entry.value.split(separator: " ", omittingEmptySubsequences: false) {
                defer { offset += word.unicodeScalars.count + 1 }
                guard !word.isEmpty else { continue }
                if let value = Value(rawValue: String(word)) {
                    if !out.contains(where: { $0.rawValue == value.rawValue }) { out.append(value) }
                } else {
                    let hint =
                        Spelling.nearest(to: String(word), among: names).map { "; did you mean `\($0)`?" }
                        ?? "; use one of: " + names.joined(separator: ", ")
                    error(entry, offset: offset, "unknown \(key.lowercased()) `\(word)` for `\(key)=`\(hint)")
                }
            }
        }
        return out
    }

    // MARK: [Action]

    private mutating func readOptions(action: RuleAction?) -> RuleActionOptions {
        var options = RuleActionOptions()
        if let entry = document.value("Archive", in: "Action") {
            if let value = ValueParsers.boolean(entry.value) {
                options.archive = value
                if value, let action, action != .delete {
                    warning(entry.keyLocation, "`Archive=` applies only to `Action=delete`; it is ignored for `Action=\(action.rawValue)`")
                }
            } else {
                error(entry, "`Archive=` takes a boolean (yes or no), got `\(entry.value)`")
            }
        }
        if let entry = document.value("Verify", in: "Action") {
            if let mode = VerifyMode(rawValue: entry.value) {
                options.verify = mode
            } else {
                let hint =
                    Spelling.nearest(to: entry.value, among: VerifyMode.allCases.map(\.rawValue)).map { "; did you mean `\($0)`?" }
                    ?? "; use one of: always, stale, never"
                error(entry, "unknown value `\(entry.value)` for `Verify=`\(hint)")
            }
        }
        if let window = span("VerifyWindow", in: "Action") { options.verifyWindow = window }
        options.set = readSet(action: action)
        options.remove = readRemove(action: action)
        return options
    }

    private mutating func readSet(action: RuleAction?) -> [MetadataAssignment] {
        let entries = document.values("Set", in: "Action")
        if let action, action != .tag, let first = entries.first {
            diagnostics.append(
                Diagnostic(at: first.keyLocation, "`Set=` applies only to `Action=tag`, not `Action=\(action.rawValue)`"))
            return []
        }
        if action == .tag, entries.isEmpty {
            diagnostics.append(
                Diagnostic(
                    at: anchor(document.hasSection("Action") ? "Action" : "Rule"),
                    "`Action=tag` needs at least one `Set=key=value` in [Action]"))
        }
        var assignments: [MetadataAssignment] = []
        var lines: [String: Int] = [:]
        for entry in entries {
            guard let equals = entry.value.firstIndex(of: "="), equals != entry.value.startIndex else {
                error(entry, "`Set=` needs `key=value`, got `\(entry.value)`")
                continue
            }
            let key = String(entry.value[..<equals])
            let value = String(entry.value[entry.value.index(after: equals)...])
            if key.unicodeScalars.count > MetadataLimits.maximumKeyLength {
                error(
                    entry, "metadata key `\(key)` in `Set=` is longer than \(MetadataLimits.maximumKeyLength) characters, the API's limit")
                continue
            }
            if value.unicodeScalars.count > MetadataLimits.maximumValueLength {
                error(
                    entry, offset: key.unicodeScalars.count + 1,
                    "the value for `\(key)` in `Set=` is \(value.unicodeScalars.count) characters; the API's limit is \(MetadataLimits.maximumValueLength)"
                )
                continue
            }
            if let line = lines[key] {
                error(entry, "`Set=` assigns `\(key)` again (first on line \(line)); keep one")
                continue
            }
            lines[key] = entry.keyLocation.line
            assignments.append(MetadataAssignment(key: key, value: value))
        }
        if assignments.count > MetadataLimits.maximumKeys, let entry = entries.last {
            diagnostics.append(
                Diagnostic(
                    at: entry.keyLocation,
                    "`Set=` assigns \(assignments.count) keys; thread metadata holds at most \(MetadataLimits.maximumKeys)"))
        }
        return assignments
    }

    private mutating func readRemove(action: RuleAction?) -> [String] {
        let entries = document.values("Remove", in: "Action")
        if let action, action != .untag, let first = entries.first {
            diagnostics.append(
                Diagnostic(at: first.keyLocation, "`Remove=` applies only to `Action=untag`, not `Action=\(action.rawValue)`"))
            return []
        }
        if action == .untag, entries.isEmpty {
            diagnostics.append(
                Diagnostic(
                    at: anchor(document.hasSection("Action") ? "Action" : "Rule"),
                    "`Action=untag` needs at least one `Remove=key` in [Action]"))
        }
        var keys: [String] = []
        for entry in entries {
            if entry.value.unicodeScalars.count > MetadataLimits.maximumKeyLength {
                error(
                    entry,
                    "metadata key `\(entry.value)` in `Remove=` is longer than \(MetadataLimits.maximumKeyLength) characters, the API's limit"
                )
                continue
            }
            if entry.value == hold {
                warning(
                    entry.keyLocation, "`Remove=\(hold)` can never act: threads carrying the hold key are never touched by `Action=untag`")
            }
            if !keys.contains(entry.value) { keys.append(entry.value) }
        }
        return keys
    }

    // MARK: [Limits]

    private mutating func readLimits() -> RuleLimits {
        var limits = RuleLimits()
        if let entry = document.value("MaxThreads", in: "Limits") {
            limits.maxThreads = ValueParsers.positiveInteger(entry.value)
            if limits.maxThreads == nil { error(entry, "`MaxThreads=` takes a whole number above 0, got `\(entry.value)`") }
        }
        if let entry = document.value("MaxFraction", in: "Limits") {
            limits.maxFraction = ValueParsers.percentage(entry.value)
            if limits.maxFraction == nil {
                error(entry, "`MaxFraction=` takes a percentage above 0 and at most 100, such as `25%`, got `\(entry.value)`")
            }
        }
        if let entry = document.value("RequestsPerSecond", in: "Limits") {
            if let value = ValueParsers.positiveNumber(entry.value) {
                limits.requestsPerSecond = value
                if let budget, value > budget.requestsPerSecond {
                    error(
                        entry,
                        "`RequestsPerSecond=\(entry.value)` exceeds the account's budget of \(ValueParsers.format(budget.requestsPerSecond)) ([API] RequestsPerSecond=); a rule may ask for less, never more"
                    )
                }
            } else {
                error(entry, "`RequestsPerSecond=` takes a number above 0, such as `2` or `0.5`, got `\(entry.value)`")
            }
        }
        if let entry = document.value("Concurrency", in: "Limits") {
            if let value = ValueParsers.positiveInteger(entry.value) {
                limits.concurrency = value
                if let budget, value > budget.concurrency {
                    error(
                        entry,
                        "`Concurrency=\(entry.value)` exceeds the account's budget of \(budget.concurrency) ([API] Concurrency=); a rule may ask for less, never more"
                    )
                }
            } else {
                error(entry, "`Concurrency=` takes a whole number above 0, got `\(entry.value)`")
            }
        }
        return limits
    }
}
