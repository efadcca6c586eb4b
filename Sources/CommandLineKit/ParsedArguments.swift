import UnitFile

/// The options and positionals of one invocation, checked against a `CommandConfiguration`.
///
/// Typed accessors throw `UsageError` naming the option and the bad value, so a
/// command's `init(arguments:)` reads like a declaration of its fields.
public struct ParsedArguments: Sendable {
    public let commandPath: String
    var values: [String: [String]]
    public var positionals: [String]

    init(commandPath: String, values: [String: [String]] = [:], positionals: [String] = []) {
        self.commandPath = commandPath
        self.values = values
        self.positionals = positionals
    }

    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool { values[name] != nil }

    /// The last value given for an option, or nil.
    public func value(_ name: String) -> String? { values[name]?.last }

    /// Every value given for a repeatable option, in order.
    public func values(_ name: String) -> [String] { values[name] ?? [] }

    /// An integer option, checked against a lower bound.
    public func integer(_ name: String, minimum: Int? = nil) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else {
            throw UsageError("option '\(name)' expects a whole number, got '\(text)'", command: commandPath)
        }
        if let minimum, number < minimum {
            throw UsageError("option '\(name)' must be at least \(minimum), got '\(text)'", command: commandPath)
        }
        return number
    }

    /// The positional at `index`, or nil.
    public func positional(_ index: Int) -> String? {
        index < positionals.count ? positionals[index] : nil
    }
}

/// Splits argv into options and positionals for one command.
///
/// Options may stand anywhere after the command name, before or after positionals;
/// `--` ends options. `--name=value` and `--name value` are both accepted.
enum ArgumentParser {
    static func parse(
        _ arguments: [String], configuration: CommandConfiguration, commandPath: String,
        sharedOptions: [OptionSpec]
    ) throws -> ParsedArguments {
        var specs: [String: OptionSpec] = [:]
        let all = configuration.options + (configuration.acceptsSharedOptions ? sharedOptions : []) + [helpOption]
        for spec in all { for name in spec.names { specs[name] = spec } }

        var parsed = ParsedArguments(commandPath: commandPath)
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = specs[name] else {
                throw UsageError("unknown option '\(name)'\(suggestion(for: name, among: Array(specs.keys)))", command: commandPath)
            }
            let key = spec.primaryName
            if !spec.takesValue {
                if inlineValue != nil {
                    throw UsageError("option '\(name)' takes no value", command: commandPath)
                }
                parsed.values[key, default: []].append("")
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            } else {
                throw UsageError("option '\(name)' needs a value (\(spec.valueName ?? "VALUE"))", command: commandPath)
            }
            if let allowed = spec.allowed, !allowed.contains(value) {
                throw UsageError(
                    "option '\(name)' does not accept '\(value)'; use one of: \(allowed.joined(separator: ", "))",
                    command: commandPath)
            }
            if !spec.repeatable, parsed.values[key] != nil, key != helpOption.primaryName {
                // The last one wins, as with most Unix tools; repeating is not an error.
                parsed.values[key] = []
            }
            parsed.values[key, default: []].append(value)
        }
        if parsed.flag("--help") { return parsed }

        let required = configuration.positionals.filter { !$0.optional && !$0.variadic }.count
        let variadic = configuration.positionals.contains { $0.variadic }
        if parsed.positionals.count < required {
            let missing = configuration.positionals[parsed.positionals.count]
            throw UsageError("missing argument \(missing.name)", command: commandPath)
        }
        if !variadic, parsed.positionals.count > configuration.positionals.count {
            let extra = parsed.positionals[configuration.positionals.count]
            throw UsageError("unexpected argument '\(extra)'", command: commandPath)
        }
        if let first = configuration.positionals.first(where: { $0.variadic && !$0.optional }),
            parsed.positionals.count < configuration.positionals.count
        {
            throw UsageError("missing argument \(first.name)", command: commandPath)
        }
        return parsed
    }

    static let helpOption = OptionSpec.flag("--help", "-h", help: "Show this help and exit.")

    /// `; did you mean '--json'?` when one known name is close to the unknown one.
    static func suggestion(for name: String, among candidates: [String]) -> String {
        guard let best = Spelling.nearest(to: name, among: candidates.sorted()) else { return "" }
        return "; did you mean '\(best)'?"
    }
}
