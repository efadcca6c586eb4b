import Foundation

/// Renders `--help` for the tool and for each command.
enum HelpFormatter {
    static func usageLine(tool: String, _ configuration: CommandConfiguration) -> String {
        if let usage = configuration.usage { return "Usage: \(tool) \(usage)" }
        var parts = [tool, configuration.commandName].filter { !$0.isEmpty }
        if !configuration.options.isEmpty || configuration.acceptsSharedOptions { parts.append("[<options>]") }
        for positional in configuration.positionals {
            var word = positional.name
            if positional.variadic { word += "..." }
            parts.append(positional.optional ? "[\(word)]" : word)
        }
        return "Usage: " + parts.joined(separator: " ")
    }

    static func help(tool: String, _ configuration: CommandConfiguration, sharedOptions: [OptionSpec]) -> String {
        var out = "OVERVIEW: \(configuration.abstract)\n"
        if !configuration.discussion.isEmpty { out += "\n\(configuration.discussion)\n" }
        out += "\n" + usageLine(tool: tool, configuration).uppercasedFirstWord() + "\n"
        if !configuration.positionals.isEmpty {
            out += "\nARGUMENTS:\n"
            out += table(configuration.positionals.map { ($0.name, $0.help) })
        }
        out += "\nOPTIONS:\n"
        out += table((configuration.options + [ArgumentParser.helpOption]).map(optionRow))
        if configuration.acceptsSharedOptions && !sharedOptions.isEmpty {
            out += "\nSHARED OPTIONS (accepted by every command, anywhere after its name):\n"
            out += table(sharedOptions.map(optionRow))
        }
        if !configuration.examples.isEmpty {
            out += "\nEXAMPLES:\n" + examples(configuration.examples)
        }
        if !configuration.exitCodes.isEmpty {
            out += "\nEXIT CODES:\n"
            out += table(configuration.exitCodes.map { ("\($0.code.rawValue)", $0.meaning) })
        }
        return out
    }

    /// Each example as a `#` line saying what it does, then the command line.
    static func examples(_ examples: [(command: String, what: String)]) -> String {
        examples.map { "  # \($0.what)\n  \($0.command)\n" }.joined()
    }

    static func optionRow(_ spec: OptionSpec) -> (String, String) {
        var left = spec.names.joined(separator: ", ")
        if let valueName = spec.valueName { left += " \(valueName)" }
        var help = spec.help
        if spec.repeatable { help += " (repeatable)" }
        return (left, help)
    }

    static func table(_ rows: [(String, String)]) -> String {
        let width = min(28, rows.map(\.0.count).max() ?? 0)
        var out = ""
        for (left, right) in rows {
            if left.count > width {
                out += "  \(left)\n" + String(repeating: " ", count: width + 4) + "\(right)\n"
            } else {
                out += "  " + left.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(right)\n"
            }
        }
        return out
    }
}

extension String {
    fileprivate func uppercasedFirstWord() -> String {
        guard hasPrefix("Usage:") else { return self }
        return "USAGE:" + dropFirst("Usage:".count)
    }
}
