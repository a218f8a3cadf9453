/// Renders help text from a ``ProgramSpec``: the program overview and one page per verb.
public enum HelpFormatter {
    /// `PROGRAM --help`: summary, verbs, global flags.
    public static func programHelp(_ program: ProgramSpec) -> String {
        var lines = [
            "\(program.name) \(program.version): \(program.summary)", "",
            "Usage: \(program.name) [GLOBAL FLAGS] VERB [FLAGS]", "", "Verbs:",
        ]
        let width = (program.verbs.map(\.name.count).max() ?? 0) + 2
        for verb in program.verbs {
            lines.append("  " + pad(verb.name, width) + verb.summary)
        }
        lines.append("")
        lines.append("Global flags (before or after the verb):")
        lines.append(contentsOf: optionLines(program.globalOptions + helpOptions))
        lines.append("")
        lines.append("Run '\(program.name) help VERB' for a verb's flags and exit codes.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `PROGRAM help VERB`: usage, discussion, flags, exit codes.
    public static func verbHelp(_ verb: VerbSpec, of program: ProgramSpec) -> String {
        var usage = "Usage: \(program.name) \(verb.name)"
        if !verb.options.isEmpty { usage += " [FLAGS]" }
        for positional in verb.positionals {
            let word = positional.variadic ? "\(positional.name)..." : positional.name
            usage += positional.optional ? " [\(word)]" : " \(word)"
        }
        var lines = ["\(program.name) \(verb.name): \(verb.summary)", "", usage]
        if !verb.discussion.isEmpty {
            lines.append("")
            lines.append(verb.discussion)
        }
        if !verb.positionals.isEmpty {
            lines.append("")
            lines.append("Arguments:")
            let width = (verb.positionals.map(\.name.count).max() ?? 0) + 2
            for positional in verb.positionals {
                lines.append("  " + pad(positional.name, width) + positional.help)
            }
        }
        if !verb.options.isEmpty {
            lines.append("")
            lines.append("Flags:")
            lines.append(contentsOf: optionLines(verb.options))
        }
        lines.append("")
        lines.append("Global flags:")
        lines.append(contentsOf: optionLines(program.globalOptions + helpOptions))
        let codes = verb.exitCodes.isEmpty ? defaultExitCodes : verb.exitCodes
        lines.append("")
        lines.append("Exit codes:")
        for entry in codes {
            lines.append("  " + pad(String(entry.code), 5) + entry.meaning)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static let helpOptions = [OptionSpec("help", short: "h", help: "Show help and exit.")]

    private static let defaultExitCodes: [(code: Int32, meaning: String)] = [
        (ExitCode.success, "success"),
        (ExitCode.failure, "the command failed; the message says why"),
        (ExitCode.usage, "the command line is wrong"),
    ]

    private static func optionLines(_ options: [OptionSpec]) -> [String] {
        let rendered = options.map { option -> (String, String) in
            var flag = option.short.map { "-\($0), " } ?? "    "
            flag += "--\(option.name)"
            if let value = option.valueName { flag += " \(value)" }
            return (flag, option.help)
        }
        let width = (rendered.map(\.0.count).max() ?? 0) + 2
        return rendered.map { "  " + pad($0.0, width) + $0.1 }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
