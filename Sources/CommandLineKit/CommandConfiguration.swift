/// How one option of a command is spelled, documented and parsed.
///
/// An option without a `valueName` is a flag; with one it takes a value, given as
/// `--name VALUE` or `--name=VALUE`. `allowed` restricts the value to a fixed set.
public struct OptionSpec: Sendable {
    public var names: [String]
    public var valueName: String?
    public var help: String
    public var repeatable: Bool
    public var allowed: [String]?

    public init(
        _ names: String..., value valueName: String? = nil, repeatable: Bool = false,
        allowed: [String]? = nil, help: String
    ) {
        precondition(!names.isEmpty && names.allSatisfy { $0.hasPrefix("-") }, "option names start with '-'")
        self.names = names
        self.valueName = valueName
        self.help = help
        self.repeatable = repeatable
        self.allowed = allowed
    }

    /// Flags take no value.
    public static func flag(_ names: String..., help: String) -> OptionSpec {
        var spec = OptionSpec("--placeholder", help: help)
        spec.names = names
        return spec
    }

    var takesValue: Bool { valueName != nil }
    var primaryName: String { names.first { $0.hasPrefix("--") } ?? names[0] }
}

/// A positional argument of a command.
public struct PositionalSpec: Sendable {
    public var name: String
    public var help: String
    public var optional: Bool
    public var variadic: Bool

    public init(_ name: String, optional: Bool = false, variadic: Bool = false, help: String) {
        self.name = name
        self.help = help
        self.optional = optional
        self.variadic = variadic
    }
}

/// Everything `--help` prints about a command, and what the parser accepts.
public struct CommandConfiguration: Sendable {
    public var commandName: String
    public var abstract: String
    public var discussion: String
    public var usage: String?
    public var options: [OptionSpec]
    public var positionals: [PositionalSpec]
    public var exitCodes: [(code: ExitCode, meaning: String)]
    /// Command lines `--help` shows under EXAMPLES, each with what it does.
    public var examples: [(command: String, what: String)]
    /// Whether the tool's shared option group (`ToolContext.sharedOptions`; for `threadkeeper`,
    /// `--config`, `--ledger`, `--rules` and logging) applies.
    public var acceptsSharedOptions: Bool

    public init(
        commandName: String, abstract: String, discussion: String = "", usage: String? = nil,
        options: [OptionSpec] = [], positionals: [PositionalSpec] = [],
        examples: [(command: String, what: String)] = [],
        exitCodes: [(code: ExitCode, meaning: String)] = ExitCode.standardMeanings,
        acceptsSharedOptions: Bool = true
    ) {
        self.examples = examples
        self.commandName = commandName
        self.abstract = abstract
        self.discussion = discussion
        self.usage = usage
        self.options = options
        self.positionals = positionals
        self.exitCodes = exitCodes
        self.acceptsSharedOptions = acceptsSharedOptions
    }
}
